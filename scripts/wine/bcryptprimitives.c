/*
 * A stand-in bcryptprimitives.dll that lets the Windows build of Deno run
 * under Wine 8.0 (Debian 12's), for the tests only; never shipped.
 *
 * 1. deno.exe imports ProcessPrng from bcryptprimitives.dll (Rust 1.78 and
 *    later draw their random numbers from it), a DLL Wine 8.0 does not have:
 *    without it deno.exe does not even load. ProcessPrng here is
 *    BCryptGenRandom with the system's preferred generator, which Wine has.
 *
 * 2. V8 reserves its address space with placeholders when kernelbase.dll
 *    exports VirtualAlloc2, MapViewOfFile3 and UnmapViewOfFile2 (Windows 10
 *    1803 and later). Wine 8.0 exports all three but refuses
 *    MEM_RESERVE_PLACEHOLDER, so V8 dies at start ("Fatal process out of
 *    memory: SegmentedTable::InitializeTable"). When this DLL is loaded
 *    (deno.exe imports it, so before any of deno's code runs) it tries one
 *    placeholder reservation; if that fails, it hides kernelbase's
 *    UnmapViewOfFile2 from GetProcAddress, and V8 takes its path for older
 *    Windows, plain VirtualAlloc. Where placeholders work, it changes nothing.
 *
 * Build (scripts/setup_wine.sh does):
 *   x86_64-w64-mingw32-gcc -O2 -s -shared -o bcryptprimitives.dll \
 *     bcryptprimitives.c bcryptprimitives.def -lbcrypt
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>

#ifndef MEM_RESERVE_PLACEHOLDER
#define MEM_RESERVE_PLACEHOLDER 0x00040000
#endif
#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

/* VirtualAlloc2's signature, with its extended parameters left untyped (none are passed). */
typedef PVOID(WINAPI *VirtualAlloc2Function)(HANDLE process, PVOID base, SIZE_T size, ULONG type,
                                             ULONG protect, PVOID parameters, ULONG count);

/* The export V8 looks up last; without it V8 uses no placeholders at all. */
static const char HIDDEN_EXPORT[] = "UnmapViewOfFile2";

/*
 * Fills `data` with `length` random bytes. Windows documents ProcessPrng as
 * never failing, and its callers do not check: if the generator fails, the
 * process ends rather than go on with bytes that are not random.
 */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
      FatalAppExitA(0, "bcryptprimitives stand-in: BCryptGenRandom failed");
    }
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}

static int compare(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

/*
 * Renames `name` in `module`'s export table so that GetProcAddress no longer
 * finds it: its last character goes up by one, which keeps the table sorted
 * (the loader searches it by halves) as long as the neighbours allow it;
 * otherwise nothing changes. Returns whether it was hidden.
 */
static BOOL hide_export(HMODULE module, const char *name) {
  BYTE *base = (BYTE *)module;
  IMAGE_NT_HEADERS *headers = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
  IMAGE_DATA_DIRECTORY directory =
      headers->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
  if (directory.VirtualAddress == 0) return FALSE;
  IMAGE_EXPORT_DIRECTORY *exports = (IMAGE_EXPORT_DIRECTORY *)(base + directory.VirtualAddress);
  DWORD *names = (DWORD *)(base + exports->AddressOfNames);
  for (DWORD i = 0; i < exports->NumberOfNames; i++) {
    char *entry = (char *)(base + names[i]);
    if (compare(entry, name) != 0) continue;
    SIZE_T length = lstrlenA(entry);
    char renamed[64];
    if (length == 0 || length >= sizeof renamed) return FALSE;
    CopyMemory(renamed, entry, length + 1);
    renamed[length - 1]++;
    if (i > 0 && compare((char *)(base + names[i - 1]), renamed) >= 0) return FALSE;
    if (i + 1 < exports->NumberOfNames && compare(renamed, (char *)(base + names[i + 1])) >= 0) {
      return FALSE;
    }
    DWORD protection;
    if (!VirtualProtect(entry, length, PAGE_READWRITE, &protection)) return FALSE;
    entry[length - 1] = renamed[length - 1];
    VirtualProtect(entry, length, protection, &protection);
    return TRUE;
  }
  return FALSE;
}

/* Hides UnmapViewOfFile2 where VirtualAlloc2 exists but cannot reserve a placeholder. */
static void hide_placeholders_if_refused(void) {
  HMODULE kernelbase = GetModuleHandleW(L"kernelbase.dll");
  if (kernelbase == NULL) return;
  VirtualAlloc2Function virtual_alloc2 =
      (VirtualAlloc2Function)(void (*)(void))GetProcAddress(kernelbase, "VirtualAlloc2");
  if (virtual_alloc2 == NULL) return;
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  PVOID reserved = virtual_alloc2(GetCurrentProcess(), NULL, info.dwAllocationGranularity,
                                  MEM_RESERVE | MEM_RESERVE_PLACEHOLDER, PAGE_NOACCESS, NULL, 0);
  if (reserved != NULL) {
    VirtualFree(reserved, 0, MEM_RELEASE);
    return;
  }
  hide_export(kernelbase, HIDDEN_EXPORT);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) hide_placeholders_if_refused();
  return TRUE;
}
