import { RefusalReason, type RefusalReasonCode } from "../wire/refused.ts";

/**
 * Why a receiver is refused: what the sender said, or what the receiver
 * found: answers that do not authenticate with its key (`wrongKey`), or
 * answers in the form of an older udpcam (`oldSender`).
 */
export type Refusal = RefusalReasonCode | "wrongKey" | "oldSender";

/** What each refusal means, as the log, `/stats` and the page say it. */
export const REFUSAL_TEXT: Record<Refusal, string> = {
  [RefusalReason.KEY_REQUIRED]:
    "the sender needs a key: give this receiver the same --key (or --key-file, UDPCAM_KEY)",
  [RefusalReason.WRONG_KEY]:
    "wrong key or not a udpcam sender: the sender did not accept this receiver's key",
  [RefusalReason.NO_KEY]:
    "the sender has no key: give it the same --key, or run this receiver without one",
  [RefusalReason.FULL]: "the sender streams to its most receivers (--max-receivers)",
  [RefusalReason.STALE]: "the sender restarted",
  wrongKey: "wrong key or not a udpcam sender: its answer did not authenticate with this key",
  oldSender: "the sender answers as an older udpcam does: run the same version on both sides",
};

/**
 * Why a link is in its state, as a code: the state machine in
 * {@linkcode ReceiverLink} carries these, and the log, `/stats` and the page
 * put them in words with {@linkcode linkReasonText}.
 * - `noAnswer`: no answer from the sender yet;
 * - `noAnswerLong`: none for {@linkcode NO_ANSWER_HINT_MS}: what to check;
 * - `senderSilent`: nothing heard from the sender for a while;
 * - `noFrames`: joined, but no frame for a while;
 * - `joinedNoFrames`: joined, no frame yet;
 * - `senderBye`: the sender said goodbye;
 * - `framesArriving`: frames arrive;
 * - a {@linkcode Refusal}: why the receiver is refused.
 */
export type LinkReason =
  | "noAnswer"
  | "noAnswerLong"
  | "senderSilent"
  | "noFrames"
  | "joinedNoFrames"
  | "senderBye"
  | "framesArriving"
  | Refusal;

/** How long a receiver goes without an answer before it says what to check. */
export const NO_ANSWER_HINT_MS = 5000;

const CAUSE_TEXT: Record<Exclude<LinkReason, Refusal>, string> = {
  noAnswer: "no answer from the sender yet",
  noAnswerLong: "no answer for 5 s: is the sender running at this address, is its UDP port " +
    "allowed through its firewall, and is it on this network? Still trying",
  senderSilent: "sender silent",
  noFrames: "no frames",
  joinedNoFrames: "joined, no frames yet",
  senderBye: "sender said goodbye",
  framesArriving: "frames arriving",
};

/** A link's reason in words, as the log, `/stats` and the page say it. */
export function linkReasonText(reason: LinkReason): string {
  return Object.hasOwn(CAUSE_TEXT, reason)
    ? CAUSE_TEXT[reason as keyof typeof CAUSE_TEXT]
    : REFUSAL_TEXT[reason as Refusal];
}
