// The printable calibration certificate: one self-contained HTML page (inline CSS and SVG, no
// external resources) for the device history file. `now` decides the EXPIRED banner.
import { applyCalibration } from './fit.js';
import { escapeHtml, fixed } from './html.js';
import { recordFingerprint } from './record.js';
import type { CalibrationRecord } from './record.js';
import { renderResidualPlotSvg } from './residual-plot.js';
import { isExpired } from './status.js';
import { PROBE_OD_FALLBACK, probeOdMmText } from './text.js';

const STYLE = `
body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; color: #000; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.expired { border: 3px solid #c01c28; color: #c01c28; font-size: 1.5rem; font-weight: bold; padding: 0.5rem 1rem; }
.fail { color: #c01c28; font-weight: bold; }
code { word-break: break-all; }
@media print { body { margin: 0; } }`;

export function renderCertificateHtml(record: CalibrationRecord, now: Date): string {
  const e = escapeHtml;
  const expired = isExpired(record, now);
  const limitC = record.acceptance.maxResidualC;
  const details: [string, string][] = [
    ['Probe id', record.probeId],
    ['Thermocouple type', `Type ${record.thermocoupleType}`],
    ['Calibrated at', record.calibratedAt],
    ['Calibrated by', record.calibratedBy],
    ['Reference thermometer', record.referenceThermometerId ?? 'none (fixed-point baths only)'],
    ['Probe outer diameter', record.probeOdMm === undefined ? `not recorded: ${PROBE_OD_FALLBACK}` : `${probeOdMmText(record.probeOdMm)} mm`],
    ['Expires at', record.expiresAt],
    ['Software version', record.softwareVersion],
    ['Record format', String(record.format)],
    ['Record fingerprint (sha256)', recordFingerprint(record)],
  ];
  const rows = record.points.map((p) => {
    const calibratedC = applyCalibration(record.fit, p.rawC);
    const outside = Math.abs(p.residualC) > limitC;
    return (
      `<tr><td>${e(p.bath)}</td><td class="num">${fixed(p.referenceC, 2)}</td><td class="num">${fixed(p.rawC, 2)}</td>` +
      `<td class="num">${fixed(calibratedC, 2)}</td><td class="num${outside ? ' fail' : ''}">${fixed(p.residualC, 3)}</td></tr>`
    );
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Calibration certificate: probe ${e(record.probeId)}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>Thermocouple calibration certificate</h1>
${expired ? `<p class="expired">EXPIRED: this calibration expired at ${e(record.expiresAt)} and must not be used; recalibrate the probe.</p>\n` : ''}<table class="details">
${details.map(([k, v]) => `<tr><th>${e(k)}</th><td>${k.startsWith('Checksum') ? `<code>${e(v)}</code>` : e(v)}</td></tr>`).join('\n')}
</table>
<h2>Reference points</h2>
<table class="points">
<tr><th>Bath</th><th>Reference, C</th><th>Raw, C</th><th>Calibrated, C</th><th>Residual, C</th></tr>
${rows.join('\n')}
</table>
<h2>Fit</h2>
<p>calibrated = gain &times; raw + offset, with gain <strong>${fixed(record.fit.gain, 6)}</strong> and offset
<strong>${fixed(record.fit.offsetC, 3)} C</strong>${record.points.length === 1 ? ' (one point: offset only)' : ' (least squares)'}.
Largest residual ${fixed(record.fit.maxResidualC, 3)} C.</p>
<p>Acceptance: every |residual| &le; ${fixed(limitC, 2)} C; gain within ${record.acceptance.gainMin} to ${record.acceptance.gainMax};
raw readings spanning at least ${record.acceptance.minSpanC} C when a gain is fitted; |offset| &le; ${record.acceptance.maxOffsetC} C.</p>
<h2>Residuals</h2>
<p>Residual = reference &minus; calibrated; the shaded band is the &plusmn;${fixed(limitC, 2)} C acceptance limit.</p>
${renderResidualPlotSvg(record.points, limitC)}
</body>
</html>
`;
}
