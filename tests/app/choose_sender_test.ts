import assert from "node:assert/strict";
import { chooseSender, foundSenderLine } from "../../lib/app/choose_sender.ts";
import { UsageError } from "../../lib/cli/cli_error.ts";

const PORCH = { name: "porch", address: "192.168.1.20", port: 8080, keyed: false };
const GARAGE = { name: "garage", address: "192.168.1.21", port: 8080, keyed: true };

Deno.test("with no address the receiver joins the one sender found, or this machine's when none", () => {
  assert.deepEqual(chooseSender([PORCH], undefined).address, {
    hostname: "192.168.1.20",
    port: 8080,
  });
  assert.deepEqual(chooseSender([], undefined).address, { hostname: "127.0.0.1", port: 8080 });
});

Deno.test("with several senders a person picks one by number; with no one to ask, the error lists them", () => {
  const questions: string[] = [];
  const picked = chooseSender([GARAGE, PORCH], (question) => {
    questions.push(question);
    return "2";
  });
  assert.equal(picked.sender?.name, "porch");
  assert.match(questions[0], /1\. garage\t192\.168\.1\.21:8080\tneeds a key\n {2}2\. porch/);
  assert.throws(
    () => chooseSender([GARAGE, PORCH], undefined),
    (error) =>
      error instanceof UsageError &&
      error.message ===
        "2 senders on this network, garage (receiver 192.168.1.21:8080), porch (receiver 192.168.1.20:8080): give one's address",
  );
  // An answer that is no choice is no guess.
  assert.throws(() => chooseSender([GARAGE, PORCH], () => "7"), UsageError);
  assert.equal(foundSenderLine(PORCH), "porch\t192.168.1.20:8080\tno key");
});
