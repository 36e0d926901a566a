/**
 * What DDPM and DDIM share (diffusers DDPMScheduler / DDIMScheduler): the training schedule,
 * prediction type, discrete timestep selection with spacing and `steps_offset`, x̂₀ clipping or
 * thresholding, and no input scaling (init_noise_sigma = 1).
 */
import { createSchedule, pickScheduleOptions, type NoiseSchedule, type ScheduleOptions } from '../schedules.ts';
import { PREDICTION_TYPES, type PredictionType } from '../diffusion.ts';
import { assertInteger, assertOneOf } from '../options.ts';
import { resolveX0Processing, type ResolvedX0Processing, type X0ProcessingOptions } from './common.ts';
import { discreteTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timesteps.ts';

export interface DiscreteSamplerOptions extends ScheduleOptions, X0ProcessingOptions {
  predictionType?: PredictionType;
  /** Default 'leading' (diffusers DDPMScheduler and DDIMScheduler). */
  timestepSpacing?: TimestepSpacing;
  /** Added to 'leading' timesteps (Stable Diffusion uses 1). Default 0. */
  stepsOffset?: number;
}

export abstract class DiscreteTimestepSampler {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly x0Processing: ResolvedX0Processing;
  readonly initNoiseSigma = 1;
  private currentTimesteps: number[];
  protected numInferenceSteps: number | undefined;

  protected constructor(options: DiscreteSamplerOptions) {
    const {
      predictionType,
      timestepSpacing,
      stepsOffset,
      clipSample,
      clipSampleRange,
      thresholding,
      dynamicThresholdingRatio,
      sampleMaxValue,
      sampleSize,
    } = options;
    this.schedule = createSchedule(pickScheduleOptions(options));
    this.predictionType = assertOneOf('predictionType', predictionType ?? 'epsilon', PREDICTION_TYPES);
    this.timestepSpacing = assertOneOf('timestepSpacing', timestepSpacing ?? 'leading', TIMESTEP_SPACINGS);
    this.stepsOffset = assertInteger('stepsOffset', stepsOffset ?? 0, 0, this.schedule.numTrainTimesteps - 1);
    this.x0Processing = resolveX0Processing({
      clipSample,
      clipSampleRange,
      thresholding,
      dynamicThresholdingRatio,
      sampleMaxValue,
      sampleSize,
    });
    // Before setTimesteps, diffusers visits every training timestep T−1, …, 0.
    this.currentTimesteps = Array.from(
      { length: this.schedule.numTrainTimesteps },
      (_, i) => this.schedule.numTrainTimesteps - 1 - i,
    );
  }

  get timesteps(): readonly number[] {
    return this.currentTimesteps;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.currentTimesteps = discreteTimesteps(
      this.schedule.numTrainTimesteps,
      numInferenceSteps,
      this.timestepSpacing,
      this.stepsOffset,
    );
    this.numInferenceSteps = numInferenceSteps;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }
}
