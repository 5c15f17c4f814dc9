// The health tests' Evidence builders, for the live feed's rules.
export * from "../health/evidence.js";

/** a live gateway started this long (s) before NOW: before every run the live tests build */
export const GW_START_S = 7200;
