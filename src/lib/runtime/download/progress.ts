export interface DownloadProgress {
  /** Bytes received so far across all files of the model in this attempt. */
  loaded: number;
  /** Bytes expected across all files. */
  total: number;
  /** Recent rate over a sliding window; null until two samples exist. */
  bytesPerSecond: number | null;
  /** (total − loaded) / rate; null while the rate is unknown. */
  secondsLeft: number | null;
  /** The file being fetched ("unet"…) and where it comes from. */
  file: string;
  source: 'cache' | 'mirror' | 'site' | 'hub';
}

const WINDOW_MS = 3000;

/** Turns byte counts into rate and time left; `now` is injectable so tests control time. */
export class ProgressMeter {
  private loaded = 0;
  private readonly samples: { t: number; loaded: number }[] = [];

  constructor(
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push({ t: now(), loaded: 0 });
  }

  /** A failed attempt's bytes are discarded before a retry: take them back and restart the rate window. */
  rewind(bytes: number): void {
    this.loaded = Math.max(0, this.loaded - bytes);
    this.samples.length = 0;
    this.samples.push({ t: this.now(), loaded: this.loaded });
  }

  add(bytes: number, file: string, source: DownloadProgress['source']): DownloadProgress {
    this.loaded += bytes;
    const t = this.now();
    this.samples.push({ t, loaded: this.loaded });
    while (this.samples.length > 2 && t - this.samples[1]!.t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0 ? (this.loaded - first.loaded) / dt : null;
    const remaining = Math.max(0, this.total - this.loaded);
    const secondsLeft = bytesPerSecond && bytesPerSecond > 0 ? remaining / bytesPerSecond : remaining === 0 ? 0 : null;
    return { loaded: this.loaded, total: this.total, bytesPerSecond, secondsLeft, file, source };
  }
}
