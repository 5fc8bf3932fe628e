#!/usr/bin/env node
// Fetches StandardFirmata for the Arduino Uno (avrgirl-arduino 5.0.1 tarball), checks its pinned
// sha256 and caches it in .cache/firmata/ (outside git). Idempotent. See hil/uno/firmware.ts.
import { tsImport } from 'tsx/esm/api';

const { ensureFirmataHex } = await tsImport('../hil/uno/firmware.ts', import.meta.url);
try {
  const path = await ensureFirmataHex({ log: (line) => console.error(line) });
  console.log(path);
} catch (error) {
  console.error(`fetch-firmata: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
