// Types of eslint.floors.js, for tests/lint-floors.test.ts.
import type { Linter } from 'eslint';

export declare const FLOORS: readonly string[];
export declare const CONTROLLER_MAX_DEPTH: number;
export declare const floorConfigs: Linter.Config[];
