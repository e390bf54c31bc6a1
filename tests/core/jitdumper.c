/* jitdumper.c: a test program that behaves like a JIT under perf, for the
 * JIT discovery tests (test-cli-coredump).
 *
 * Maps an RWX anonymous page, writes a function into it and records its
 * creation in jit-PID.dump in the current directory (perf's jitdump
 * format: a header and one JIT_CODE_LOAD of "jitdumper_fn"), then mmaps the
 * dump PROT_EXEC as V8 and perf's JVMTI agent do, so that the dump is in
 * NT_FILE. Then it patches the function's immediate (as V8 patches
 * embedded pointers after creation), so the core's bytes and the dump's
 * differ: the dump holds "mov eax, 42; ret", the page "mov eax, 43; ret".
 * Prints "pid=N page=0xADDR" (as tests/core/jitlike does) and blocks
 * reading stdin. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define JITDUMP_MAGIC 0x4A695444u   /* "JiTD", written in the host's order */
#define JIT_CODE_LOAD 0u
#define EM_X86_64 62u

struct header {
  uint32_t magic, version, total_size, elf_mach, pad1, pid;
  uint64_t timestamp, flags;
};

struct code_load {
  uint32_t id, total_size;
  uint64_t timestamp;
  uint32_t pid, tid;
  uint64_t vma, code_addr, code_size, code_index;
};

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int
write_all (int fd, const void *data, size_t size)
{
  return write (fd, data, size) == (ssize_t) size ? 0 : -1;
}

int
main (void)
{
  static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };   /* mov eax, 42; ret */
  static const char name[] = "jitdumper_fn";
  uint8_t *page = mmap (NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct header h = { JITDUMP_MAGIC, 1, sizeof h, EM_X86_64, 0, (uint32_t) getpid (),
                      now_ns (), 0 };
  struct code_load r;
  char path[64];
  void *mapped;
  int (*fn) (void);
  int fd;
  char c;

  if (page == MAP_FAILED)
    return 2;
  memcpy (page, code, sizeof code);

  snprintf (path, sizeof path, "jit-%ld.dump", (long) getpid ());
  fd = open (path, O_CREAT | O_TRUNC | O_RDWR, 0644);
  if (fd < 0)
    return 3;
  memset (&r, 0, sizeof r);
  r.id = JIT_CODE_LOAD;
  r.total_size = (uint32_t) (sizeof r + sizeof name + sizeof code);
  r.timestamp = now_ns ();
  r.pid = r.tid = (uint32_t) getpid ();
  r.vma = r.code_addr = (uint64_t) (uintptr_t) page;
  r.code_size = sizeof code;
  if (write_all (fd, &h, sizeof h) != 0 || write_all (fd, &r, sizeof r) != 0 ||
      write_all (fd, name, sizeof name) != 0 || write_all (fd, code, sizeof code) != 0)
    return 4;
  mapped = mmap (NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED)
    return 5;

  page[1] = 0x2b;
  fn = (int (*) (void)) (void *) page;
  if (fn () != 43)
    return 6;

  printf ("pid=%ld page=%p\n", (long) getpid (), (void *) page);
  fflush (stdout);
  while (read (0, &c, 1) > 0)
    ;
  return 0;
}
