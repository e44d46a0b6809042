/** Types of dist-freshness.js (plain JavaScript: it runs before anything compiles TypeScript). */
export declare const SOURCE_DIRS: readonly string[];
export declare const SOURCE_FILES: readonly string[];
export declare const STAMP: string;
export declare function distIsFresh(root: string): boolean;
