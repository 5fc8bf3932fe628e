import { describe, it, expect } from 'vitest';
import { Plant, WATCHDOG_TIMEOUT_MS } from '../hil/plant/index.js';

function toggleEvery(plant: Plant, periodMs: number, durationMs: number, startLevel = true): boolean {
  let level = startLevel;
  for (let t = 0; t < durationMs; t += periodMs) {
    plant.heartbeat(level);
    level = !level;
    plant.advance(periodMs);
  }
  return level;
}

describe('external watchdog', () => {
  it('holds valve power off at power-up until the heartbeat first toggles', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    plant.advance(1_000);
    expect(plant.state.valvePowerOn).toBe(false);
    expect(plant.state.flowing).toBe(false);
  });

  it('keeps valve power on while the heartbeat toggles every 20 ms', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    let alwaysOn = true;
    let level = true;
    for (let t = 0; t < 10_000; t += 20) {
      plant.heartbeat(level);
      level = !level;
      plant.advance(20);
      if (t > 100) alwaysOn &&= plant.state.valvePowerOn && plant.state.flowing;
    }
    expect(alwaysOn).toBe(true);
  });

  it('cuts valve power once the heartbeat has not toggled for more than 250 ms', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    toggleEvery(plant, 20, 1_000);
    // The last toggle was 20 ms ago; hold the level.
    plant.advance(WATCHDOG_TIMEOUT_MS - 20);
    expect(plant.state.valvePowerOn).toBe(true);
    plant.advance(20);
    expect(plant.state.valvePowerOn).toBe(false);
    plant.advance(100);
    expect(plant.state.supplyValveOpen).toBe(false);
    expect(plant.state.safetyValveOpen).toBe(false);
    expect(plant.state.flowing).toBe(false);
  });

  it('does not trip when the heartbeat toggles every 240 ms', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    let on = true;
    let level = true;
    for (let t = 0; t < 5_000; t += 240) {
      plant.heartbeat(level);
      level = !level;
      plant.advance(240);
      on &&= plant.state.valvePowerOn;
    }
    expect(on).toBe(true);
  });

  it('does not count a repeated level as a heartbeat', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    toggleEvery(plant, 20, 500);
    for (let t = 0; t < 500; t += 20) {
      plant.heartbeat(true);
      plant.advance(20);
    }
    expect(plant.state.valvePowerOn).toBe(false);
  });

  it('restores valve power when toggling resumes and reopens the still-commanded valves', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    const level = toggleEvery(plant, 20, 500);
    plant.advance(500);
    expect(plant.state.flowing).toBe(false);
    toggleEvery(plant, 20, 200, level);
    expect(plant.state.valvePowerOn).toBe(true);
    expect(plant.state.flowing).toBe(true);
  });
});

describe('emergency stop in the valve power path', () => {
  it('cuts valve power and closes both valves while pressed, whatever the heartbeat', () => {
    const plant = new Plant();
    plant.commandValves(true, true);
    const level = toggleEvery(plant, 20, 500);
    plant.setConditions({ estopPressed: true });
    toggleEvery(plant, 20, 100, level);
    expect(plant.state.valvePowerOn).toBe(false);
    expect(plant.state.flowing).toBe(false);
  });
});
