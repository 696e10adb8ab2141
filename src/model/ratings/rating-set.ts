/**
 * Ratings in columnar, dense-index form: the one shape every trainer, evaluator and split reads.
 * User and item indices are dense (0..nUsers-1, 0..nItems-1); `userIds`/`itemIds` map them back to
 * the external ids (course ids such as `the+shining+1980`, or MovieLens numeric ids as strings).
 */
export interface RatingSet {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** Seconds since the epoch; 0 where the source has no time. */
  readonly timestamps: Float64Array;
  readonly nUsers: number;
  readonly nItems: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly scale: RatingScale;
}

/** The closed interval predictions are clipped to. */
export interface RatingScale {
  readonly min: number;
  readonly max: number;
}

/** A trained model that predicts a rating for dense user/item indices; -1 means unknown to the model. */
export interface Predictor {
  readonly algorithm: string;
  predict(user: number, item: number): number;
}

/** Reports training progress, once per epoch. */
export type EpochListener = (epoch: number, epochs: number, trainRmse: number) => void;

/** A training algorithm: a name, default params, and a pure fit over a rating set. */
export interface Algorithm<P> {
  readonly name: string;
  readonly defaults: P;
  fit(train: RatingSet, params: P, onEpoch?: EpochListener): Predictor;
}
