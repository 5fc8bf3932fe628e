// The software version recorded in calibration records and shown by `cryo --version`.
export const VERSION = '0.1.0';
