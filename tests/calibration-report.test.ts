import { describe, expect, it } from 'vitest';
import { buildCalibrationRecord, recordFingerprint } from '../calibration/record.js';
import type { CalibrationInput } from '../calibration/record.js';
import { renderCertificateHtml } from '../calibration/report.js';

const input: CalibrationInput = {
  probeId: 'P-0001',
  thermocoupleType: 'T',
  points: [
    { bath: 'ice-point', referenceC: 0, rawC: 0.31 },
    { bath: 'dry-ice-ethanol', referenceC: -78.46, rawC: -77.9 },
    { bath: 'water-bath', referenceC: 37.02, rawC: 37.4 },
  ],
  calibratedAt: '2025-03-01T10:00:00.000Z',
  calibratedBy: '<script>alert("x")</script> & Co',
  referenceThermometerId: 'RT-17',
  softwareVersion: '0.1.0',
};
const record = buildCalibrationRecord(input);
const beforeExpiry = new Date('2025-04-01T00:00:00Z');

describe('renderCertificateHtml', () => {
  it('names the probe, its type, the dates, the reference thermometer, the version and the fingerprint of the record', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    for (const text of ['P-0001', 'Type T', record.calibratedAt, record.expiresAt, 'RT-17', '0.1.0', recordFingerprint(record)]) expect(html).toContain(text);
  });

  it("states the probe's outer diameter when the record has one", () => {
    const html = renderCertificateHtml(buildCalibrationRecord({ ...input, probeOdMm: 0.4 }), beforeExpiry);
    expect(html).toContain('<tr><th>Probe outer diameter</th><td>0.40 mm</td></tr>');
  });

  it('shows every recorded digit of a probe OD two decimals would round (27 G: 0.413 mm)', () => {
    const html = renderCertificateHtml(buildCalibrationRecord({ ...input, probeOdMm: 0.413 }), beforeExpiry);
    expect(html).toContain('<td>0.413 mm</td>');
  });

  it('says when the record has no probe OD, and that the estimate then uses the setting', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    expect(html).toContain('<tr><th>Probe outer diameter</th><td>not recorded: the ice-ball estimate uses the setting iceBall.probeOdMm</td></tr>');
  });

  it('escapes text from the record', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
  });

  it('tabulates every point with its bath, reference, raw, calibrated and residual temperatures', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    expect(record.points.length).toBeGreaterThan(0);
    for (const p of record.points) {
      const calibratedC = record.fit.gain * p.rawC + record.fit.offsetC;
      expect(html).toContain(`<tr><td>${p.bath}</td><td class="num">${p.referenceC.toFixed(2)}</td><td class="num">${p.rawC.toFixed(2)}</td>`);
      expect(html).toContain(`<td class="num">${calibratedC.toFixed(2)}</td>`);
    }
  });

  it('draws an inline SVG residual plot with one marker per point and the acceptance band', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    expect(html).toContain('<svg');
    expect(html.match(/<circle /g)).toHaveLength(3);
    expect(html).toContain('class="band"');
    expect(html).toContain('+0.50');
  });

  it('loads nothing from outside the page', () => {
    const html = renderCertificateHtml(record, beforeExpiry);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
  });

  it('shows no EXPIRED banner before the expiry date', () => {
    expect(renderCertificateHtml(record, beforeExpiry)).not.toContain('EXPIRED');
  });

  it('shows an EXPIRED banner once expired', () => {
    expect(renderCertificateHtml(record, new Date('2025-09-01T00:00:00Z'))).toContain('EXPIRED');
  });

  it('plots a single-point calibration without dividing by zero', () => {
    const one = buildCalibrationRecord({ ...input, points: [input.points[0]!] });
    expect(renderCertificateHtml(one, beforeExpiry)).not.toMatch(/NaN|Infinity/);
  });
});
