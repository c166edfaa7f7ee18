/**
 * AES-128-GCM for one datagram at a time, through the fastest way this
 * machine has.
 *
 * `node:crypto` builds a cipher, and with it a Node stream, for every call:
 * about 16 µs a datagram of 1,200 bytes on these machines, most of what a key
 * costs. OpenSSL's own API keeps one context for each key and takes a new
 * nonce each time: 0.7 µs. So where the system has OpenSSL's libcrypto (Linux),
 * and the tool may load it (`--allow-ffi`), it is called through Deno's FFI;
 * anywhere else `node:crypto` does the same work. Both give the same bytes.
 * macOS is left to `node:crypto`: its system libcrypto aborts a process that
 * loads it directly.
 *
 * @module
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

/** The size of a key. */
export const KEY_SIZE = 16;
/** The size of a nonce. */
export const NONCE_SIZE = 12;
/** The size of the authentication tag. */
export const TAG_SIZE = 16;
/** OpenSSL's `EVP_CTRL_GCM_GET_TAG` and `EVP_CTRL_GCM_SET_TAG`. */
const GET_TAG = 0x10;
const SET_TAG = 0x11;

/** AES-128-GCM with a 12-byte nonce and a 16-byte tag. */
export interface AesGcm {
  /** Where it runs: `"openssl"` or `"node:crypto"`. */
  readonly name: string;
  /**
   * Encrypts `plain` into `out` (its length), authenticating `aad` too, and
   * writes the tag into `tag`.
   */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plain: Uint8Array,
    out: Uint8Array,
    tag: Uint8Array,
  ): void;
  /**
   * Decrypts `body` into `out` (its length) if `tag` authenticates it with
   * `aad`; false, with `out` not to be used, if it does not.
   */
  open(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    body: Uint8Array,
    tag: Uint8Array,
    out: Uint8Array,
  ): boolean;
}

/** AES-GCM through `node:crypto`: a cipher for each call. */
export const nodeAesGcm: AesGcm = {
  name: "node:crypto",
  seal(key, nonce, aad, plain, out, tag) {
    const cipher = createCipheriv("aes-128-gcm", key, nonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(aad);
    const body = cipher.update(plain);
    out.set(body);
    out.set(cipher.final(), body.length);
    tag.set(cipher.getAuthTag());
  },
  open(key, nonce, aad, body, tag, out) {
    try {
      const decipher = createDecipheriv("aes-128-gcm", key, nonce, { authTagLength: TAG_SIZE });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const plain = decipher.update(body);
      out.set(plain);
      out.set(decipher.final(), plain.length);
      return true;
    } catch {
      return false;
    }
  },
};

const SYMBOLS = {
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_aes_128_gcm: { parameters: [], result: "pointer" },
  EVP_EncryptInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_DecryptInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_EncryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_DecryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_EncryptFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  EVP_DecryptFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  EVP_CIPHER_CTX_ctrl: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  EVP_CIPHER_CTX_free: { parameters: ["pointer"], result: "void" },
} as const;

type Crypto = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** The libcrypto names to try, newest first. */
const LIBRARIES = ["libcrypto.so.3", "libcrypto.so.1.1"];

/**
 * AES-GCM through OpenSSL's libcrypto, or `undefined` where it cannot be
 * loaded (another system, no library, or no `--allow-ffi`).
 */
export function opensslAesGcm(): AesGcm | undefined {
  if (Deno.build.os !== "linux") return undefined;
  // Asked first, so that a script run without it is not prompted for it.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  for (const path of LIBRARIES) {
    try {
      return new OpensslAesGcm(Deno.dlopen(path, SYMBOLS).symbols);
    } catch {
      // Not this one; the next, or node:crypto.
    }
  }
  return undefined;
}

/** One encrypting and one decrypting context for each key, kept while the key is. */
class OpensslAesGcm implements AesGcm {
  readonly name = "openssl";
  #c: Crypto;
  #aes: Deno.PointerValue;
  #contexts = new WeakMap<Uint8Array, { seal: Deno.PointerObject; open: Deno.PointerObject }>();
  #freed = new FinalizationRegistry<Deno.PointerObject[]>((contexts) => {
    for (const context of contexts) this.#c.EVP_CIPHER_CTX_free(context);
  });
  #length = new Int32Array(1);
  #scratch = new Uint8Array(16);

  constructor(c: Crypto) {
    this.#c = c;
    this.#aes = c.EVP_aes_128_gcm();
    if (this.#aes === null) throw new Error("no AES-128-GCM in libcrypto");
  }

  #for(key: Uint8Array) {
    if (key.length !== KEY_SIZE) throw new RangeError("an AES-128 key is 16 bytes");
    let contexts = this.#contexts.get(key);
    if (contexts !== undefined) return contexts;
    const seal = this.#c.EVP_CIPHER_CTX_new();
    const open = this.#c.EVP_CIPHER_CTX_new();
    // Keyed once; each call then sets only its nonce.
    const bytes = key.slice();
    if (
      seal === null || open === null ||
      this.#c.EVP_EncryptInit_ex(seal, this.#aes, null, bytes, null) !== 1 ||
      this.#c.EVP_DecryptInit_ex(open, this.#aes, null, bytes, null) !== 1
    ) {
      for (const context of [seal, open]) {
        if (context !== null) this.#c.EVP_CIPHER_CTX_free(context);
      }
      throw new Error("libcrypto cannot key a context");
    }
    contexts = { seal, open };
    this.#contexts.set(key, contexts);
    this.#freed.register(key, [seal, open]);
    return contexts;
  }

  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plain: Uint8Array,
    out: Uint8Array,
    tag: Uint8Array,
  ): void {
    // libcrypto reads and writes these by pointer, trusting their sizes: checked here.
    if (nonce.length !== NONCE_SIZE || tag.length !== TAG_SIZE || out.length !== plain.length) {
      throw new RangeError("a 12-byte nonce, a 16-byte tag and an output the input's size");
    }
    const c = this.#c;
    const { seal } = this.#for(key);
    const length = this.#length;
    if (
      c.EVP_EncryptInit_ex(seal, null, null, null, nonce) !== 1 ||
      c.EVP_EncryptUpdate(seal, null, length, aad, aad.length) !== 1 ||
      (plain.length > 0 && c.EVP_EncryptUpdate(seal, out, length, plain, plain.length) !== 1) ||
      c.EVP_EncryptFinal_ex(seal, this.#scratch, length) !== 1 ||
      c.EVP_CIPHER_CTX_ctrl(seal, GET_TAG, TAG_SIZE, tag) !== 1
    ) {
      throw new Error("libcrypto failed to seal");
    }
  }

  open(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    body: Uint8Array,
    tag: Uint8Array,
    out: Uint8Array,
  ): boolean {
    // libcrypto reads and writes these by pointer, trusting their sizes: checked here.
    if (
      key.length !== KEY_SIZE || nonce.length !== NONCE_SIZE || tag.length !== TAG_SIZE ||
      out.length !== body.length
    ) {
      return false;
    }
    const c = this.#c;
    const { open } = this.#for(key);
    const length = this.#length;
    return c.EVP_DecryptInit_ex(open, null, null, null, nonce) === 1 &&
      c.EVP_CIPHER_CTX_ctrl(open, SET_TAG, TAG_SIZE, tag) === 1 &&
      c.EVP_DecryptUpdate(open, null, length, aad, aad.length) === 1 &&
      (body.length === 0 || c.EVP_DecryptUpdate(open, out, length, body, body.length) === 1) &&
      c.EVP_DecryptFinal_ex(open, this.#scratch, length) === 1;
  }
}

/** The AES-GCM every seal and open uses: OpenSSL's where it loads, else `node:crypto`'s. */
export const AES_GCM: AesGcm = opensslAesGcm() ?? nodeAesGcm;
