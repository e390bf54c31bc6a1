/* A tiny JIT, for ipt-record's tests of rewritten code: it writes raw
 * x86-64 machine code for a function into an executable buffer (RW while
 * writing, RX while running), calls it a few times, then writes another
 * function of another length and shape to the SAME address and calls that;
 * with the argument "move" it copies the first function to a second
 * address instead (and fills the old one with int3), as a moving
 * collector would.  Every result is checked against the same function in
 * C (exit status 1 when one differs).
 *
 * Like a JIT that perf understands, it writes a jitdump, jit-PID.dump in
 * the current folder (header, then JIT_CODE_LOAD and JIT_CODE_MOVE
 * records, timestamped with CLOCK_MONOTONIC after the code is in place and
 * before it first runs, written with write(2)), mapped once PROT_EXEC so
 * that the file is in the core's NT_FILE note, and a perf map,
 * perf-PID.map, also in the current folder.
 *
 * On standard output, one line per function it installs, for the tests:
 *   code ADDRESS SIZE CALLS: OFFSET OFFSET ...
 * (hex address and decimal numbers; the offsets are where its instructions
 * start), in the order they run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define JIT_CODE_LOAD 0
#define JIT_CODE_MOVE 1

typedef int (*JitFunc) (int);

typedef struct {
  const char *name;
  const unsigned char *code;
  size_t size;
  const unsigned char *starts;   /* instruction offsets */
  size_t n_starts;
} Function;

/* sum over i < n of (i odd ? i : 2 i): a loop with a conditional inside */
static const unsigned char sum_code[] = {
  0x31, 0xc0,             /* 00 xor eax, eax */
  0x31, 0xc9,             /* 02 xor ecx, ecx */
  0x39, 0xf9,             /* 04 loop: cmp ecx, edi */
  0x7d, 0x10,             /* 06 jge done */
  0xf6, 0xc1, 0x01,       /* 08 test cl, 1 */
  0x74, 0x04,             /* 0b je even */
  0x01, 0xc8,             /* 0d add eax, ecx */
  0xeb, 0x03,             /* 0f jmp next */
  0x8d, 0x04, 0x48,       /* 11 even: lea eax, [rax + rcx * 2] */
  0xff, 0xc1,             /* 14 next: inc ecx */
  0xeb, 0xec,             /* 16 jmp loop */
  0xc3,                   /* 18 done: ret */
};
static const unsigned char sum_starts[] = {
  0x00, 0x02, 0x04, 0x06, 0x08, 0x0b, 0x0d, 0x0f, 0x11, 0x14, 0x16, 0x18,
};

/* min (|x| * 7 + 5, 1000): straight-line, two forward branches */
static const unsigned char scale_code[] = {
  0x89, 0xf8,                     /* 00 mov eax, edi */
  0x85, 0xc0,                     /* 02 test eax, eax */
  0x79, 0x02,                     /* 04 jns positive */
  0xf7, 0xd8,                     /* 06 neg eax */
  0x6b, 0xc0, 0x07,               /* 08 positive: imul eax, eax, 7 */
  0x83, 0xc0, 0x05,               /* 0b add eax, 5 */
  0x3d, 0xe8, 0x03, 0x00, 0x00,   /* 0e cmp eax, 1000 */
  0x7e, 0x05,                     /* 13 jle out */
  0xb8, 0xe8, 0x03, 0x00, 0x00,   /* 15 mov eax, 1000 */
  0xc3,                           /* 1a out: ret */
};
static const unsigned char scale_starts[] = {
  0x00, 0x02, 0x04, 0x06, 0x08, 0x0b, 0x0e, 0x13, 0x15, 0x1a,
};

static const Function sum_function = {
  "jit_sum", sum_code, sizeof sum_code, sum_starts, sizeof sum_starts
};
static const Function scale_function = {
  "jit_scale", scale_code, sizeof scale_code, scale_starts, sizeof scale_starts
};

static int
sum_in_c (int n)
{
  int result = 0;

  for (int i = 0; i < n; i++)
    result += i & 1 ? i : 2 * i;
  return result;
}

static int
scale_in_c (int x)
{
  int result = (x < 0 ? -x : x) * 7 + 5;

  return result > 1000 ? 1000 : result;
}

static int jitdump_fd = -1;
static FILE *perf_map;

static uint64_t
now_ns (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

static int
write_all (const void *data, size_t size)
{
  return write (jitdump_fd, data, size) == (ssize_t) size ? 0 : -1;
}

static int
open_jitdump (void)
{
  char path[64];
  struct {
    uint32_t magic, version, total_size, elf_mach, pad1, pid;
    uint64_t timestamp, flags;
  } header = { 0x4A695444u, 1, 40, 62, 0, (uint32_t) getpid (), now_ns (), 0 };

  snprintf (path, sizeof path, "jit-%d.dump", (int) getpid ());
  jitdump_fd = open (path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  if (jitdump_fd < 0 || write_all (&header, sizeof header) < 0)
    return -1;
  /* perf finds the dump by this mapping of it (as V8 and the JVMTI agent do). */
  if (mmap (NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, jitdump_fd, 0) == MAP_FAILED)
    return -1;
  snprintf (path, sizeof path, "perf-%d.map", (int) getpid ());
  perf_map = fopen (path, "w");
  return perf_map != NULL ? 0 : -1;
}

/* The record prefix: id, total size, timestamp. */
static int
write_prefix (uint32_t id, uint32_t total_size)
{
  struct { uint32_t id, total_size; uint64_t timestamp; } prefix = { id, total_size, now_ns () };

  return write_all (&prefix, sizeof prefix);
}

static int
record_load (const Function *function, unsigned char *address, uint64_t index)
{
  struct {
    uint32_t pid, tid;
    uint64_t vma, code_addr, code_size, code_index;
  } load = { (uint32_t) getpid (), (uint32_t) getpid (), (uintptr_t) address,
             (uintptr_t) address, function->size, index };
  size_t name_size = strlen (function->name) + 1;

  if (write_prefix (JIT_CODE_LOAD, 16 + sizeof load + name_size + function->size) < 0 ||
      write_all (&load, sizeof load) < 0 || write_all (function->name, name_size) < 0 ||
      write_all (address, function->size) < 0)
    return -1;
  fprintf (perf_map, "%lx %zx %s\n", (unsigned long) (uintptr_t) address, function->size,
           function->name);
  return fflush (perf_map);
}

static int
record_move (const Function *function, unsigned char *from, unsigned char *to, uint64_t index)
{
  struct {
    uint32_t pid, tid;
    uint64_t vma, old_code_addr, new_code_addr, code_size, code_index;
  } move = { (uint32_t) getpid (), (uint32_t) getpid (), (uintptr_t) to, (uintptr_t) from,
             (uintptr_t) to, function->size, index };

  if (write_prefix (JIT_CODE_MOVE, 16 + sizeof move) < 0 || write_all (&move, sizeof move) < 0)
    return -1;
  fprintf (perf_map, "%lx %zx %s\n", (unsigned long) (uintptr_t) to, function->size,
           function->name);
  return fflush (perf_map);
}

static void
describe (const Function *function, unsigned char *address, int calls)
{
  printf ("code %lx %zu %d:", (unsigned long) (uintptr_t) address, function->size, calls);
  for (size_t i = 0; i < function->n_starts; i++)
    printf (" %u", function->starts[i]);
  printf ("\n");
  fflush (stdout);
}

/* Calls the code at @address with each of @args, checking each result. */
static int
run (unsigned char *address, int (*reference) (int), const int *args, int n_args)
{
  JitFunc volatile call = (JitFunc) (void *) address;
  int failed = 0;

  for (int i = 0; i < n_args; i++)
    if (call (args[i]) != reference (args[i]))
      {
        fprintf (stderr, "jit: %p (%d) = %d, expected %d\n", (void *) address, args[i],
                 call (args[i]), reference (args[i]));
        failed = 1;
      }
  return failed;
}

static int
protect (unsigned char *buffer, int prot)
{
  return mprotect (buffer, PAGE, prot);
}

int
main (int argc, char **argv)
{
  static const int sum_args[] = { 5, 8, 13 };
  static const int scale_args[] = { -4, 50, 200, 3 };
  int move = argc > 1 && strcmp (argv[1], "move") == 0;
  unsigned char *buffer, *first, *second;
  int failed;

  buffer = mmap (NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffer == MAP_FAILED || open_jitdump () < 0)
    return 2;
  first = buffer + 0x40;
  second = move ? buffer + 0x800 : first;

  memcpy (first, sum_code, sizeof sum_code);
  if (protect (buffer, PROT_READ | PROT_EXEC) < 0 || record_load (&sum_function, first, 1) < 0)
    return 2;
  describe (&sum_function, first, 3);
  failed = run (first, sum_in_c, sum_args, 3);

  if (protect (buffer, PROT_READ | PROT_WRITE) < 0)
    return 2;
  if (move)
    {
      memcpy (second, first, sizeof sum_code);
      memset (first, 0xcc, sizeof sum_code);   /* the old copy is gone */
      if (protect (buffer, PROT_READ | PROT_EXEC) < 0 ||
          record_move (&sum_function, first, second, 1) < 0)
        return 2;
      describe (&sum_function, second, 3);
      failed |= run (second, sum_in_c, sum_args, 3);
    }
  else
    {
      memset (first, 0xcc, sizeof sum_code);
      memcpy (first, scale_code, sizeof scale_code);
      if (protect (buffer, PROT_READ | PROT_EXEC) < 0 ||
          record_load (&scale_function, first, 2) < 0)
        return 2;
      describe (&scale_function, first, 4);
      failed |= run (first, scale_in_c, scale_args, 4);
    }
  return failed;
}
