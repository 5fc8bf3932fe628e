// The CI fuzz campaign's size and seed (tests/fuzz-ci.test.ts), shared with the tests that show a
// defect put back is found by that campaign (tests/fuzz-calibration.test.ts).
export const CI_FUZZ_RUNS = 2_000;
/** Fixed, so a CI failure names a seed anyone can replay; `npm run fuzz` explores further. */
export const CI_FUZZ_SEED = 20_261_202;
