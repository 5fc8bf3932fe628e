// JUnit XML for CI (`cryo hil run --junit FILE`): one testsuite, one testcase per scenario file; a
// failed expectation or invariant is a <failure>, a file that could not be read or validated an
// <error>. Text is escaped and characters XML 1.0 forbids are dropped, so the file always parses.
import type { ScenarioReport } from './execute.js';
import { escapeXml } from './svg.js';

// eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const clean = (text: string): string => escapeXml(text.replace(XML_FORBIDDEN, ''));
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(r: ScenarioReport): string {
  const head = `<testcase classname="hil.scenarios" name="${clean(r.name)}" file="${clean(r.file)}" time="${seconds(r.wallMs)}">`;
  if (r.passed) return `${head}</testcase>`;
  const tag = r.error === null ? 'failure' : 'error';
  return `${head}<${tag} message="${clean(r.failures[0] ?? 'failed')}">${clean(r.failures.join('\n'))}</${tag}></testcase>`;
}

export function junitXml(reports: readonly ScenarioReport[]): string {
  const errors = reports.filter((r) => r.error !== null).length;
  const failures = reports.filter((r) => !r.passed && r.error === null).length;
  const time = seconds(reports.reduce((sum, r) => sum + r.wallMs, 0));
  const counts = `tests="${reports.length}" failures="${failures}" errors="${errors}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cryo hil run" ${counts}>`,
    `<testsuite name="hil-scenarios" ${counts}>`,
    ...reports.map(testcase),
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
