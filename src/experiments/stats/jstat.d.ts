/**
 * The part of jstat (1.9.6, no bundled types) the experiment statistics use. jstat's Student t CDF
 * matches scipy to 1e-9..1e-7 relative error for 10 ≤ ν ≤ 1e6 (docs/experiments.md, "Libraries").
 */
declare module 'jstat' {
  interface Distribution1 {
    cdf(x: number, dof: number): number;
    inv(p: number, dof: number): number;
  }
  export const jStat: {
    readonly studentt: Distribution1;
    readonly chisquare: Distribution1;
    readonly normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
    erfc(x: number): number;
  };
}
