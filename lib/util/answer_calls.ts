import type { WorkerAnswer, WorkerCall } from "./worker_client.ts";

/** What a handler of {@linkcode answerCalls} gives back. */
export interface WorkerReply<Response> {
  /** The answer. */
  value: Response;
  /** Buffers of the answer to move rather than copy. @default [] */
  transfer?: Transferable[];
}

/** The part of a worker's global scope that {@linkcode answerCalls} uses. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerCall<unknown>>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/**
 * Answers a {@linkcode WorkerClient}'s calls in this worker, one at a time in
 * the order they came: a handler that throws fails that call alone. A ping
 * (`WorkerClient.ready()`) is answered at once.
 *
 * @example Usage
 * ```ts ignore
 * answerCalls<{ width: number }, Uint8Array>(async ({ width }) => {
 *   const jpeg = await draw(width);
 *   return { value: jpeg, transfer: [jpeg.buffer] };
 * });
 * ```
 *
 * @param handle Answers one request.
 */
export function answerCalls<Request, Response>(
  handle: (request: Request) => Promise<WorkerReply<Response>>,
): void {
  const scope = globalThis as unknown as WorkerScope;
  let queue = Promise.resolve();
  scope.onmessage = (event) => {
    const { id, request, ping } = event.data as WorkerCall<Request>;
    if (ping) {
      scope.postMessage({ id, ok: true, value: undefined }, []);
      return;
    }
    queue = queue.then(async () => {
      let answer: WorkerAnswer<Response>;
      let transfer: Transferable[] = [];
      try {
        const reply = await handle(request as Request);
        answer = { id, ok: true, value: reply.value };
        transfer = reply.transfer ?? [];
      } catch (error) {
        answer = error instanceof Error
          ? { id, ok: false, error: error.message, name: error.name }
          : { id, ok: false, error: String(error), name: "Error" };
      }
      scope.postMessage(answer, transfer);
    });
  };
}

/**
 * The bytes in a buffer of their own, which can be moved to another thread
 * whole: `bytes` itself when it fills its buffer, else a copy.
 *
 * @param bytes The bytes, such as an encoded JPEG.
 * @returns Bytes whose `buffer` holds them and nothing else.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  ) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return new Uint8Array(bytes);
}
