/**
 * `docs/PROTOCOL.md` against the codec: every field table's offsets and
 * sizes, and the size of every message, as the constants of `lib/wire/` and
 * `lib/seal/datagram_seal.ts` say them. Change one and not the other, and
 * this fails, naming the table and the field.
 */
import assert from "node:assert/strict";
import {
  ACK_SIZE,
  BYE_SIZE,
  CHALLENGE_SIZE,
  COOKIE_SIZE,
  DATA_HEADER_SIZE,
  HEADER_SIZE,
  HELLO_NONCE_SIZE,
  HELLO_SIZE,
  JOIN_SIZE,
  KEEPALIVE_SIZE,
  KEY_TAIL_SIZE,
  MAX_DATAGRAM,
  MAX_NACK_RANGES,
  MAX_SENDER_NAME,
  NACK_HEADER_SIZE,
  NACK_RANGE_SIZE,
  nackSize,
  OFFSET_BYE_COOKIE,
  OFFSET_CAPTURE_TIME,
  OFFSET_CHALLENGE_COOKIE,
  OFFSET_CHALLENGE_KEY_TAIL,
  OFFSET_COOKIE,
  OFFSET_ECHO_TIME,
  OFFSET_FRAGMENT_SIZE,
  OFFSET_FRAME,
  OFFSET_FRAME_LENGTH,
  OFFSET_GROUP,
  OFFSET_GROUPS,
  OFFSET_HELLO_NONCE,
  OFFSET_INDEX,
  OFFSET_JOIN_KEY_TAIL,
  OFFSET_MAGIC,
  OFFSET_NACK_COOKIE,
  OFFSET_NAME,
  OFFSET_NAME_LENGTH,
  OFFSET_RECEIVER,
  OFFSET_REFUSAL,
  OFFSET_REFUSAL_ECHO,
  OFFSET_REFUSAL_SALT,
  OFFSET_REPORT,
  OFFSET_SENDER_TIME,
  OFFSET_SESSION,
  OFFSET_STARTED_AT,
  OFFSET_TIME,
  OFFSET_TYPE,
  OFFSET_VERSION,
  PacketType,
  RANGE_OFFSET_COUNT,
  RANGE_OFFSET_FRAME,
  RANGE_OFFSET_INDEX,
  REFUSED_SIZE,
  SALT_SIZE,
  SHARE_SIZE,
  smallestOf,
} from "../../lib/wire/mod.ts";
import {
  NONCE_PREFIX_SIZE,
  NONCE_SIZE,
  OFFSET_NONCE,
  OFFSET_NONCE_COUNTER,
  OFFSET_SEALED_BODY,
  SEAL_OVERHEAD,
  TAG_SIZE,
} from "../../lib/seal/datagram_seal.ts";

const DOC = new URL("../../docs/PROTOCOL.md", import.meta.url);

/** One row of a field table: numbers where the cell is a number, else `undefined`. */
interface Row {
  offset?: number;
  size?: number;
  field: string;
}

/** What the code says of one field table: where it ends, and each field's offset and size. */
interface Layout {
  /** Where the table's last fixed field ends. */
  end: number;
  fields: Record<string, [offset: number, size: number | undefined]>;
}

const U32 = 4;
const F64 = 8;
const U16 = 2;
const U8 = 1;
const REPORT = [
  "fragments",
  "missing",
  "recovered",
  "framesShown",
  "framesLost",
  "rttMs",
  "queueDelayMs",
] as const;

/** Every field table of `docs/PROTOCOL.md`, by its heading, as the code lays it out. */
const LAYOUTS: Record<string, Layout> = {
  "The header": {
    end: HEADER_SIZE,
    fields: {
      magic: [OFFSET_MAGIC, U16],
      version: [OFFSET_VERSION, U8],
      type: [OFFSET_TYPE, U8],
      session: [OFFSET_SESSION, U32],
    },
  },
  HELLO: {
    end: HELLO_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      time: [OFFSET_TIME, F64],
      nonce: [OFFSET_HELLO_NONCE, HELLO_NONCE_SIZE],
    },
  },
  CHALLENGE: {
    end: CHALLENGE_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      echoTime: [OFFSET_ECHO_TIME, F64],
      senderTime: [OFFSET_SENDER_TIME, F64],
      cookie: [OFFSET_CHALLENGE_COOKIE, COOKIE_SIZE],
    },
  },
  "CHALLENGE key tail": {
    end: OFFSET_CHALLENGE_KEY_TAIL + KEY_TAIL_SIZE,
    fields: {
      nonce: [OFFSET_CHALLENGE_KEY_TAIL, HELLO_NONCE_SIZE],
      share: [OFFSET_CHALLENGE_KEY_TAIL + HELLO_NONCE_SIZE, SHARE_SIZE],
    },
  },
  JOIN: {
    end: JOIN_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      time: [OFFSET_TIME, F64],
      cookie: [OFFSET_COOKIE, COOKIE_SIZE],
    },
  },
  "JOIN key tail": {
    end: OFFSET_JOIN_KEY_TAIL + KEY_TAIL_SIZE,
    fields: {
      nonce: [OFFSET_JOIN_KEY_TAIL, HELLO_NONCE_SIZE],
      share: [OFFSET_JOIN_KEY_TAIL + HELLO_NONCE_SIZE, SHARE_SIZE],
    },
  },
  KEEPALIVE: {
    end: KEEPALIVE_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      time: [OFFSET_TIME, F64],
      cookie: [OFFSET_COOKIE, COOKIE_SIZE],
      ...Object.fromEntries(REPORT.map((name, i) => [name, [OFFSET_REPORT + i * U32, U32]])),
    },
  },
  ACK: {
    end: ACK_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      echoTime: [OFFSET_ECHO_TIME, F64],
      senderTime: [OFFSET_SENDER_TIME, F64],
    },
  },
  "ACK sender info": {
    end: OFFSET_NAME,
    fields: {
      startedAt: [OFFSET_STARTED_AT, F64],
      nameLength: [OFFSET_NAME_LENGTH, U8],
      name: [OFFSET_NAME, undefined],
    },
  },
  BYE: {
    end: BYE_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      cookie: [OFFSET_BYE_COOKIE, COOKIE_SIZE],
    },
  },
  REFUSED: {
    end: OFFSET_REFUSAL_SALT + SALT_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      reason: [OFFSET_REFUSAL, U8],
      padding: [OFFSET_REFUSAL + U8, REFUSED_SIZE - OFFSET_REFUSAL - U8],
      echo: [OFFSET_REFUSAL_ECHO, HELLO_NONCE_SIZE],
      salt: [OFFSET_REFUSAL_SALT, SALT_SIZE],
    },
  },
  Sealing: {
    end: OFFSET_SEALED_BODY,
    fields: {
      header: [0, HEADER_SIZE],
      noncePrefix: [OFFSET_NONCE, NONCE_PREFIX_SIZE],
      nonceCounter: [OFFSET_NONCE_COUNTER, NONCE_SIZE - NONCE_PREFIX_SIZE],
      body: [OFFSET_SEALED_BODY, undefined],
      tag: [NaN, TAG_SIZE],
    },
  },
  DATA: {
    end: DATA_HEADER_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      frame: [OFFSET_FRAME, U32],
      frameLength: [OFFSET_FRAME_LENGTH, U32],
      index: [OFFSET_INDEX, U16],
      fragmentSize: [OFFSET_FRAGMENT_SIZE, U16],
      captureTime: [OFFSET_CAPTURE_TIME, F64],
      payload: [DATA_HEADER_SIZE, undefined],
    },
  },
  PARITY: {
    end: DATA_HEADER_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      frame: [OFFSET_FRAME, U32],
      frameLength: [OFFSET_FRAME_LENGTH, U32],
      group: [OFFSET_GROUP, U8],
      groups: [OFFSET_GROUPS, U8],
      fragmentSize: [OFFSET_FRAGMENT_SIZE, U16],
      captureTime: [OFFSET_CAPTURE_TIME, F64],
      payload: [DATA_HEADER_SIZE, undefined],
    },
  },
  NACK: {
    end: NACK_HEADER_SIZE,
    fields: {
      header: [0, HEADER_SIZE],
      receiver: [OFFSET_RECEIVER, U32],
      cookie: [OFFSET_NACK_COOKIE, COOKIE_SIZE],
      ranges: [NACK_HEADER_SIZE, undefined],
    },
  },
  "NACK range": {
    end: NACK_RANGE_SIZE,
    fields: {
      frame: [RANGE_OFFSET_FRAME, U32],
      index: [RANGE_OFFSET_INDEX, U16],
      count: [RANGE_OFFSET_COUNT, U16],
    },
  },
};

/** Every size the messages table gives, in the clear and sealed, as the code says them. */
const SIZES: Record<string, { clear: number[]; sealed: number[] }> = {
  HELLO: sealedToo([HELLO_SIZE]),
  CHALLENGE: sealedToo([CHALLENGE_SIZE, OFFSET_CHALLENGE_KEY_TAIL + KEY_TAIL_SIZE]),
  JOIN: sealedToo([JOIN_SIZE, OFFSET_JOIN_KEY_TAIL + KEY_TAIL_SIZE]),
  KEEPALIVE: sealedToo([KEEPALIVE_SIZE]),
  ACK: sealedToo([ACK_SIZE, OFFSET_NAME, OFFSET_NAME + MAX_SENDER_NAME]),
  BYE: sealedToo([BYE_SIZE]),
  DATA: {
    clear: [smallestOf(PacketType.DATA)!, MAX_DATAGRAM],
    sealed: [smallestOf(PacketType.DATA)! + SEAL_OVERHEAD, MAX_DATAGRAM],
  },
  NACK: sealedToo([nackSize(1), nackSize(MAX_NACK_RANGES)]),
  PARITY: {
    clear: [smallestOf(PacketType.PARITY)!, MAX_DATAGRAM],
    sealed: [smallestOf(PacketType.PARITY)! + SEAL_OVERHEAD, MAX_DATAGRAM],
  },
  REFUSED: {
    clear: [REFUSED_SIZE, OFFSET_REFUSAL_SALT, OFFSET_REFUSAL_SALT + SALT_SIZE],
    // Only REFUSED 4 is sealed, and it echoes the JOIN's hello nonce.
    sealed: [OFFSET_REFUSAL_SALT + SEAL_OVERHEAD],
  },
};

function sealedToo(clear: number[]): { clear: number[]; sealed: number[] } {
  return { clear, sealed: clear.map((size) => size + SEAL_OVERHEAD) };
}

/** The cells of a Markdown table row. */
function cells(line: string): string[] {
  return line.trim().replace(/^\||\|$/g, "").split("|").map((cell) => cell.trim());
}

/** A cell as a whole number, or `undefined` if it is words. */
function numberOf(cell: string): number | undefined {
  return /^\d+$/.test(cell) ? Number(cell) : undefined;
}

/** Every table of the page: its heading, its column names and its rows of cells. */
function tables(doc: string): Array<{ heading: string; columns: string[]; rows: string[][] }> {
  const found: Array<{ heading: string; columns: string[]; rows: string[][] }> = [];
  let heading = "";
  const lines = doc.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    if (!line.startsWith("|") || !lines[i + 1]?.startsWith("| -")) continue;
    const table = { heading, columns: cells(line), rows: [] as string[][] };
    for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
      table.rows.push(cells(lines[i]));
    }
    found.push(table);
  }
  return found;
}

/** The field tables of the page, by heading. */
async function fieldTables(): Promise<Map<string, Row[]>> {
  const byHeading = new Map<string, Row[]>();
  for (const table of tables(await Deno.readTextFile(DOC))) {
    if (table.columns.join(",") !== "offset,size,field,meaning") continue;
    assert.ok(!byHeading.has(table.heading), `one field table under "${table.heading}"`);
    byHeading.set(
      table.heading,
      table.rows.map(([offset, size, field]) => ({
        offset: numberOf(offset),
        size: numberOf(size),
        field: field.replaceAll("`", ""),
      })),
    );
  }
  return byHeading;
}

Deno.test("docs/PROTOCOL.md has a field table for every message, and the code a layout for each", async () => {
  const found = await fieldTables();
  assert.deepEqual([...found.keys()].sort(), Object.keys(LAYOUTS).sort());
});

Deno.test("docs/PROTOCOL.md gives every field the offset and size the codec uses", async () => {
  for (const [heading, rows] of await fieldTables()) {
    const layout = LAYOUTS[heading];
    assert.deepEqual(
      rows.map((row) => row.field),
      Object.keys(layout.fields),
      `${heading}: the fields, in order`,
    );
    for (const row of rows) {
      const [offset, size] = layout.fields[row.field];
      if (!Number.isNaN(offset)) {
        assert.equal(
          row.offset,
          offset,
          `${heading}: ${row.field} at ${row.offset}, the code says ${offset}`,
        );
      }
      assert.equal(
        row.size,
        size,
        `${heading}: ${row.field} ${row.size} bytes, the code says ${size}`,
      );
    }
  }
});

Deno.test("docs/PROTOCOL.md's fixed fields follow one another with no gap, to the size the code gives", async () => {
  for (const [heading, rows] of await fieldTables()) {
    const fixed = rows.filter((row) => row.offset !== undefined && row.size !== undefined);
    for (let i = 1; i < fixed.length; i++) {
      const before = fixed[i - 1];
      assert.equal(
        fixed[i].offset,
        before.offset! + before.size!,
        `${heading}: ${fixed[i].field} follows ${before.field}`,
      );
    }
    const last = fixed.at(-1)!;
    assert.equal(last.offset! + last.size!, LAYOUTS[heading].end, `${heading}: where it ends`);
  }
});

Deno.test("docs/PROTOCOL.md gives every message the sizes the codec makes, in the clear and sealed", async () => {
  const table = tables(await Deno.readTextFile(DOC)).find((t) => t.heading === "Messages");
  assert.ok(table, 'a table of messages under "Messages"');
  const column = (name: string) => table.columns.indexOf(name);
  const seen: string[] = [];
  for (const row of table.rows) {
    const name = row[column("name")];
    seen.push(name);
    assert.equal(Number(row[column("type")]), PacketType[name as keyof typeof PacketType], name);
    const numbers = (cell: string) => [...cell.matchAll(/\d+/g)].map((m) => Number(m[0]));
    assert.deepEqual(
      numbers(row[column("size in the clear")]),
      SIZES[name].clear,
      `${name} in the clear`,
    );
    assert.deepEqual(numbers(row[column("sealed")]), SIZES[name].sealed, `${name} sealed`);
  }
  assert.deepEqual(seen.sort(), Object.keys(PacketType).sort());
});
