/**
 * A source could not start, for example ffmpeg exited before its first frame because the camera
 * is missing or busy. The message is one line, fit to show the user as is.
 */
export class SourceError extends Error {
  /**
   * Makes the error.
   *
   * @param message One line saying what went wrong.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SourceError";
  }
}
