/* test-record-qemu-log.c: ipt-record's QEMU execution log parser and the
 * conversion of a log into a trace.  The logs are written here in QEMU
 * 7.2's exact layout (copied from a real log: every line a register dump
 * has); the converted trace is decoded with libipt, and by the real
 * ipt-record and ipt-analyze binaries, against the same memory, and must
 * list exactly what the log says ran, and so must DIR/ips.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <intel-pt.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-record-encoder.h"
#include "ipt-record-qemu.h"
#include "ipt-record-qemu-log.h"
#include "mock-provider.h"
#include "test-support.h"

#define CR3_A 0x10000
#define CR3_B 0x20000
#define KERNEL_CS 0x0008
#define USER_CS 0x0033
#define CS64_KERNEL 0x00a09b00
#define CS64_USER 0x00a0fb00
#define CS32_USER 0x00cffb00

typedef struct {
  guint64 pc;
  guint64 cr3;
  guint64 rsp;
  gboolean user;
} Step;

/* One logged block as QEMU 7.2 prints it with -d exec,cpu. */
static void
append_entry (GString *log, guint64 pc, guint64 cr3, guint64 rsp, gboolean user, guint32 cs_flags)
{
  g_string_append_printf (log,
      "Trace 0: 0x7f87982d%04x [0000000000000000/%016" PRIx64 "/0000c0b0/ff000201] \n"
      "RAX=0000000000020000 RBX=0000000000000003 RCX=0000000040000009 RDX=0000000000000000\n"
      "RSI=000000000010c800 RDI=0000000000000800 RBP=0000000000000000 RSP=%016" PRIx64 "\n"
      "R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000002\n"
      "R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000002\n"
      "RIP=%016" PRIx64 " RFL=00000002 [-------] CPL=%d II=0 A20=1 SMM=0 HLT=0\n"
      "ES =0000 0000000000000000 00000000 00001300\n"
      "CS =%04x 0000000000000000 ffffffff %08x DPL=%d CS64 [-RA]\n"
      "SS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
      "LDT=0000 0000000000000000 0000ffff 00008200 DPL=0 LDT\n"
      "TR =0000 0000000000000000 0000ffff 00008b00 DPL=0 TSS64-busy\n"
      "GDT=     0000000000102010 00000027\n"
      "IDT=     000000000010c000 00000fff\n"
      "CR0=80000011 CR2=0000000000000000 CR3=%016" PRIx64 " CR4=00000020\n"
      "DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 \n"
      "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
      "CCS=0000000000000000 CCD=0000000000000001 CCO=EFLAGS\n"
      "EFER=0000000000000501\n",
      (guint) (pc & 0xffff), pc, rsp, pc, user ? 3 : 0, user ? USER_CS : KERNEL_CS, cs_flags,
      user ? 3 : 0, cr3);
}

static GString *
log_of (const Step *steps, gsize n)
{
  GString *log = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    append_entry (log, steps[i].pc, steps[i].cr3, steps[i].rsp, steps[i].user,
                  steps[i].user ? CS64_USER : CS64_KERNEL);
  return log;
}

static GArray *
parse (const char *text, GError **error)
{
  return ipt_record_qemu_log_parse ("test.log", text, strlen (text), error);
}

static void
test_parse_entries (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL;
  const IptRecordQemuEntry *e;

  append_entry (log, 0x1000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  append_entry (log, 0x40000000, CR3_B, 0x7ff8, TRUE, CS64_USER);
  entries = parse (log->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  e = &g_array_index (entries, IptRecordQemuEntry, 1);
  g_assert_cmphex (e->pc, ==, 0x40000000);
  g_assert_cmphex (e->cr3, ==, CR3_B);
  g_assert_cmphex (e->rsp, ==, 0x7ff8);
  g_assert_cmphex (e->cs_flags, ==, CS64_USER);
  g_assert_cmphex (e->cr0, ==, 0x80000011);
  g_assert_cmphex (e->efer, ==, 0x501);
  g_assert_cmpuint (e->line, ==, 19);
}

/* "Stopped execution of TB chain before" the block just logged: it did
 * not run.  -d int records and their dumps belong to no block. */
static void
test_parse_stopped_and_interrupts (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL;

  append_entry (log, 0x1000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  append_entry (log, 0x1001, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  g_string_append (log, "Stopped execution of TB chain before 0x7f87982d1001 [0000000000001001] \n");
  g_string_append (log, "check_exception old: 0xffffffff new 0xe\n"
                        "     0: v=0e e=0002 i=0 cpl=0 IP=0008:0000000000001001 pc=0000000000001001 "
                        "SP=0010:0000000000008000 CR2=0000000000005000\n"
                        "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000\n"
                        "RIP=0000000000001001 RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"
                        "\n");
  append_entry (log, 0x1001, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  entries = parse (log->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmphex (g_array_index (entries, IptRecordQemuEntry, 1).pc, ==, 0x1001);
  g_assert_cmpuint (g_array_index (entries, IptRecordQemuEntry, 1).line, ==, 43);
}

typedef struct {
  const char *name;
  const char *from;     /* replaced in a good two-entry log… */
  const char *to;       /* …by this */
  const char *message;  /* the error names "test.log:LINE: " and this */
} BadLog;

static const BadLog bad_logs[] = {
  { "garbage", "GDT=     0000000000102010 00000027\n", "hello world\n",
    "test.log:12: not a line of a QEMU execution log" },
  { "trace-line", "Trace 0: 0x7f87982d1000 [", "Trace 0: 0x7f87982d1000 (",
    "test.log:1: malformed Trace line" },
  { "trace-cpu", "Trace 0: 0x7f87982d2000", "Trace x: 0x7f87982d2000",
    "test.log:19: malformed Trace line" },
  { "two-cpus", "Trace 0: 0x7f87982d2000", "Trace 1: 0x7f87982d2000",
    "test.log:19: CPU 1 after CPU 0" },
  { "no-state", "EFER=0000000000000501\nTrace 0: 0x7f87982d2000", "Trace 0: 0x7f87982d2000",
    "test.log:1: translation block without the CPU state" },
  { "rip", "RIP=0000000000001000", "RIP=0000000000001004",
    "test.log:1: pc 0x1000 is not CS base 0x0 + RIP 0x1004" },
  { "cr-line", "CR0=80000011 CR2=0000000000000000 CR3=0000000000010000",
    "CR0=80000011 CR2=0000000000000000 CR4=0000000000010000",
    "test.log:14: malformed control register line" },
  { "cs-line", "CS =0008 0000000000000000 ffffffff 00a09b00",
    "CS =0008 0000000000000000 ffffffff", "test.log:8: malformed CS line" },
  { "rsp", "RBP=0000000000000000 RSP=0000000000008000", "RBP=0000000000000000 RSP=00000000000080000",
    "test.log:3: malformed RSI line: no RSP" },
  { "chained", "GDT=     0000000000102010 00000027\n", "Linking TBs 0x1 index 0 -> 0x2\n",
    "test.log:12: translation blocks are chained" },
  { "stopped", "GDT=     0000000000102010 00000027\n",
    "Stopped execution of TB chain before 0x1 [0000000000002000] \n",
    "test.log:12: \"Stopped execution\" before 0x2000, which is not the translation block logged last" },
  { "nul", "GDT=     0000000000102010 00000027\n", "GDT=\0", "test.log:12: NUL byte" },
  { "truncated", "EFER=0000000000000501\n", "EFER=", "test.log:36: malformed EFER" },
};

static void
test_parse_bad (gconstpointer data)
{
  const BadLog *bad = data;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL;
  const char *at;
  gsize from_len = strlen (bad->from);
  gsize to_len = strcmp (bad->name, "nul") == 0 ? 5 : strlen (bad->to);
  gsize length;
  g_autofree char *text = NULL;

  append_entry (log, 0x1000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  append_entry (log, 0x2000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  /* Truncated: the log ends in the middle of its last line. */
  at = strcmp (bad->name, "truncated") == 0 ? g_strrstr (log->str, bad->from)
                                             : strstr (log->str, bad->from);
  g_assert_nonnull (at);
  length = log->len - from_len + to_len;
  text = g_malloc (length + 1);
  memcpy (text, log->str, at - log->str);
  memcpy (text + (at - log->str), bad->to, to_len);
  memcpy (text + (at - log->str) + to_len, at + from_len, log->len - (at - log->str) - from_len);
  text[length] = '\0';

  entries = ipt_record_qemu_log_parse ("test.log", text, length, &error);
  g_assert_null (entries);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  if (!g_str_has_prefix (error->message, bad->message))
    g_error ("%s: \"%s\" does not start with \"%s\"", bad->name, error->message, bad->message);
}

static void
test_parse_long_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (5000, 'A');
  g_autoptr(GArray) entries = parse (text, &error);

  g_assert_null (entries);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "test.log:1: line longer than 4096 bytes");
}

static void
test_parse_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = parse ("", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
}

/* The code of the conversion tests: kernel code everywhere; user code at
 * 0x2000 in B only (A has nops there: a decode with the wrong CR3 would
 * run through them, not where the trace says). */
static const guint8 kernel_code[] = {
  0x90,             /* 1000 nop */
  0x0f, 0x22, 0xd8, /* 1001 mov cr3, rax */
  0x90,             /* 1004 nop */
  0xf3, 0xa4,       /* 1005 rep movsb */
  0x74, 0x02,       /* 1007 je 100b */
  0x90, 0x90,       /* 1009 */
  0xff, 0xd0,       /* 100b call rax */
};
static const guint8 user_code[] = {
  0x90,             /* 2000 nop */
  0x90,             /* 2001 nop */
  0x0f, 0x05,       /* 2002 syscall */
  0x90,             /* 2004 nop */
  0xf4,             /* 2005 hlt */
  0x75, 0xf8,       /* 2006 jne 2000 */
};
static const guint8 handler_code[] = { 0x90, 0x48, 0xcf };       /* 3000 nop; iretq */
static const guint8 syscall_code[] = { 0x90, 0x48, 0x0f, 0x07 }; /* 4000 nop; sysretq */

static IptImage *
test_image (void)
{
  IptImage *image = ipt_image_new ("test");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  IptAsid a = { CR3_A, IPT_ASID_NO_VMCS }, b = { CR3_B, IPT_ASID_NO_VMCS };

  ipt_mock_provider_add_bytes (mock, 0x1000, kernel_code, sizeof kernel_code, NULL);
  ipt_mock_provider_add_bytes (mock, 0x2000, user_code, sizeof user_code, &b);
  ipt_mock_provider_add_fill (mock, 0x2000, 0x100, 0x90, &a);
  ipt_mock_provider_add_bytes (mock, 0x3000, handler_code, sizeof handler_code, NULL);
  ipt_mock_provider_add_bytes (mock, 0x4000, syscall_code, sizeof syscall_code, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  return image;
}

/* Every instruction libipt's insn decoder lists from @path over @image. */
static GArray *
decode (IptImage *image, const char *path)
{
  g_autoptr(GArray) ips = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *data = NULL;
  gsize length;
  struct pt_config config;
  struct pt_insn_decoder *decoder;
  int status;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + length;
  decoder = pt_insn_alloc_decoder (&config);
  g_assert_nonnull (decoder);
  g_assert_cmpint (pt_insn_set_image (decoder, ipt_image_get_pt_image (image)), ==, 0);

  while ((status = pt_insn_sync_forward (decoder)) >= 0)
    for (;;)
      {
        struct pt_insn insn;

        while (status & pts_event_pending)
          {
            struct pt_event event;

            status = pt_insn_event (decoder, &event, sizeof event);
            if (status < 0)
              break;
          }
        if (status < 0)
          break;
        status = pt_insn_next (decoder, &insn, sizeof insn);
        if (status < 0)
          break;
        g_array_append_val (ips, insn.ip);
      }
  g_assert_cmpint (status, ==, -pte_eos);
  pt_insn_free_decoder (decoder);
  return g_steal_pointer (&ips);
}

static GArray *
read_ips (const char *path)
{
  g_autoptr(GArray) ips = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = test_split_lines (text);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      guint64 ip = g_ascii_strtoull (lines[i], NULL, 16);
      g_array_append_val (ips, ip);
    }
  return g_steal_pointer (&ips);
}

static void
assert_ips (GArray *ips, const guint64 *expected, gsize n)
{
  for (guint i = 0; i < MIN (ips->len, n); i++)
    if (g_array_index (ips, guint64, i) != expected[i])
      g_error ("instruction %u: 0x%" PRIx64 ", expected 0x%" PRIx64, i,
               g_array_index (ips, guint64, i), expected[i]);
  g_assert_cmpuint (ips->len, ==, n);
}

typedef struct {
  char *dir;
  char *trace;
  char *ips;
} Output;

static void
output_clear (Output *out)
{
  g_remove (out->trace);
  g_remove (out->ips);
  g_rmdir (out->dir);
  g_free (out->dir);
  g_free (out->trace);
  g_free (out->ips);
}

static gboolean
convert_full (const GString *log, IptImage *image, guint64 cr3_filter, gsize psb_period,
              Output *out, IptRecordQemuStats *stats, GError **error)
{
  g_autoptr(GArray) entries = parse (log->str, error);
  g_autoptr(IptRecordEncoder) encoder = NULL;

  g_assert_nonnull (entries);
  out->dir = g_dir_make_tmp ("test-record-qemu-XXXXXX", NULL);
  out->trace = g_build_filename (out->dir, "trace.pt", NULL);
  out->ips = g_build_filename (out->dir, "ips", NULL);
  encoder = ipt_record_encoder_new (out->trace, out->ips, psb_period, error);
  g_assert_nonnull (encoder);
  return ipt_record_qemu_convert ("test.log", entries, image, cr3_filter, encoder, stats,
                                  error) &&
         ipt_record_encoder_finish (encoder, error);
}

static gboolean
convert_filtered (const GString *log, IptImage *image, guint64 cr3_filter, Output *out,
                  IptRecordQemuStats *stats, GError **error)
{
  return convert_full (log, image, cr3_filter, 64, out, stats, error);
}

static gboolean
convert (const GString *log, IptImage *image, Output *out, IptRecordQemuStats *stats,
         GError **error)
{
  return convert_filtered (log, image, IPT_ASID_NO_CR3, out, stats, error);
}

static const Step flow_steps[] = {
    { 0x1000, CR3_A, 0x8000, FALSE },
    { 0x1001, CR3_A, 0x8000, FALSE },   /* mov cr3: B from here on */
    { 0x1004, CR3_B, 0x8000, FALSE },
    { 0x1005, CR3_B, 0x8000, FALSE },   /* rep movsb, three iterations */
    { 0x1005, CR3_B, 0x8000, FALSE },
    { 0x1005, CR3_B, 0x8000, FALSE },
    { 0x1007, CR3_B, 0x8000, FALSE },   /* je taken */
    { 0x100b, CR3_B, 0x8000, FALSE },   /* call rax */
    { 0x2000, CR3_B, 0x7ff8, FALSE },   /* ran, then an interrupt */
    { 0x3000, CR3_B, 0x7fd0, FALSE },
    { 0x3001, CR3_B, 0x7fd0, FALSE },   /* iretq to 0x2001 */
    { 0x2001, CR3_B, 0x7ff8, FALSE },   /* faults: did not run */
    { 0x3000, CR3_B, 0x7fc8, FALSE },   /* (an error code below the frame) */
    { 0x3001, CR3_B, 0x7fd0, FALSE },   /* iretq back to it */
    { 0x2001, CR3_B, 0x7ff8, FALSE },
    { 0x2002, CR3_B, 0x7ff8, FALSE },   /* syscall */
    { 0x4000, CR3_B, 0x7ff8, FALSE },
    { 0x4001, CR3_B, 0x7ff8, FALSE },   /* sysretq to user space */
    { 0x2004, CR3_B, 0x7ff8, TRUE },
    { 0x2005, CR3_B, 0x7ff8, TRUE },    /* hlt, the last: it ran */
  };

/* CR3 switch, REP iterations, Jcc, indirect call, an interrupt after an
 * instruction, a fault before one (re-executed), syscall and sysret across
 * privilege levels: the decode lists what ran, and so does DIR/ips. */
static void
test_convert_flow (void)
{
  const Step *steps = flow_steps;
  gsize n_steps = G_N_ELEMENTS (flow_steps);
  static const guint64 expected[] = {
    0x1000, 0x1001, 0x1004, 0x1005, 0x1007, 0x100b, 0x2000, 0x3000, 0x3001,
    0x3000, 0x3001, 0x2001, 0x2002, 0x4000, 0x4001, 0x2004, 0x2005,
  };
  g_autoptr(GString) log = log_of (steps, n_steps);
  g_autoptr(IptImage) image = test_image ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) decoded = NULL, listed = NULL;
  IptRecordQemuStats stats;
  Output out = { 0 };

  g_assert_true (convert (log, image, &out, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_entries, ==, n_steps);
  g_assert_cmpuint (stats.n_iterations, ==, 2);
  g_assert_cmpuint (stats.n_not_executed, ==, 1);
  g_assert_cmpuint (stats.n_interrupts, ==, 1);
  decoded = decode (image, out.trace);
  listed = read_ips (out.ips);
  assert_ips (listed, expected, G_N_ELEMENTS (expected));
  assert_ips (decoded, expected, G_N_ELEMENTS (expected));
  output_clear (&out);
}

/* With a CR3 filter only that address space's code is traced: A's ends
 * with the mov to CR3 (PIP, TIP.PGD); B's starts after it (TIP.PGE). */
static void
test_convert_cr3_filter (void)
{
  static const guint64 expected_a[] = { 0x1000, 0x1001 };
  static const guint64 expected_b[] = {
    0x1004, 0x1005, 0x1007, 0x100b, 0x2000, 0x3000, 0x3001,
    0x3000, 0x3001, 0x2001, 0x2002, 0x4000, 0x4001, 0x2004, 0x2005,
  };
  static const struct {
    guint64 cr3;
    const guint64 *expected;
    gsize n;
    guint64 n_filtered;
  } cases[] = {
    { CR3_A, expected_a, G_N_ELEMENTS (expected_a), G_N_ELEMENTS (flow_steps) - 2 },
    { CR3_B, expected_b, G_N_ELEMENTS (expected_b), 2 },
  };
  g_autoptr(GString) log = log_of (flow_steps, G_N_ELEMENTS (flow_steps));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(IptImage) image = test_image ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) decoded = NULL, listed = NULL;
      IptRecordQemuStats stats;
      Output out = { 0 };

      g_assert_true (convert_filtered (log, image, cases[i].cr3, &out, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.n_filtered, ==, cases[i].n_filtered);
      decoded = decode (image, out.trace);
      listed = read_ips (out.ips);
      assert_ips (listed, cases[i].expected, cases[i].n);
      assert_ips (decoded, cases[i].expected, cases[i].n);
      output_clear (&out);
    }

  {
    g_autoptr(IptImage) image = test_image ();
    g_autoptr(GError) error = NULL;
    IptRecordQemuStats stats;
    Output out = { 0 };

    g_assert_false (convert_filtered (log, image, 0x30000, &out, &stats, &error));
    g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_FOUND);
    g_assert_cmpstr (error->message, ==, "test.log: no instruction logged with CR3 0x30000");
    output_clear (&out);
  }
}

/* A far branch into another address space (a syscall whose kernel side,
 * left out of the log, switched CR3): the PSB+ that may come right before
 * it carries the CR3 it runs with, its TIP the new one.  The kernel calls
 * B's syscall and sysretq comes back, many times, the last syscall going
 * to A; every PSB period from 64 to 192 bytes puts the PSBs elsewhere, one
 * right before that syscall (PSBs come after packets: after the call). */
static void
test_convert_far_cr3 (void)
{
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (Step));
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GString) log = NULL;
  static const Step end[] = {
    { 0x1009, CR3_A, 0x8000, FALSE },
    { 0x100a, CR3_A, 0x8000, FALSE },
  };

  for (guint round = 0; round < 24; round++)
    {
      guint64 cr3 = round == 23 ? CR3_A : CR3_B;
      const Step loop[] = {
        { 0x100b, CR3_B, 0x8000, FALSE },   /* call rax */
        { 0x2002, CR3_B, 0x8000, TRUE },    /* syscall: B's code only */
        { 0x4000, cr3, 0x8000, FALSE },
        { 0x4001, cr3, 0x8000, FALSE },     /* sysretq */
      };

      for (guint i = 0; i < G_N_ELEMENTS (loop); i++)
        {
          g_array_append_val (steps, loop[i]);
          g_array_append_val (expected, loop[i].pc);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (end); i++)
    {
      g_array_append_val (steps, end[i]);
      g_array_append_val (expected, end[i].pc);
    }
  log = log_of ((const Step *) steps->data, steps->len);

  for (gsize period = 64; period <= 192; period++)
    {
      g_autoptr(IptImage) image = test_image ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) decoded = NULL;
      IptRecordQemuStats stats;
      Output out = { 0 };

      g_assert_true (convert_full (log, image, IPT_ASID_NO_CR3, period, &out, &stats, &error));
      g_assert_no_error (error);
      decoded = decode (image, out.trace);
      assert_ips (decoded, (const guint64 *) expected->data, expected->len);
      output_clear (&out);
    }
}

/* A last instruction whose successor its bytes do not say (a Jcc) is not
 * counted: the trace ends before it. */
static void
test_convert_last_branch (void)
{
  static const Step steps[] = {
    { 0x2004, CR3_B, 0x7ff8, TRUE },
    { 0x2005, CR3_B, 0x7ff8, TRUE },
    { 0x2006, CR3_B, 0x7ff8, TRUE },
  };
  static const guint64 expected[] = { 0x2004, 0x2005 };
  g_autoptr(GString) log = log_of (steps, G_N_ELEMENTS (steps));
  g_autoptr(IptImage) image = test_image ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) decoded = NULL;
  IptRecordQemuStats stats;
  Output out = { 0 };

  g_assert_true (convert (log, image, &out, &stats, &error));
  decoded = decode (image, out.trace);
  assert_ips (decoded, expected, G_N_ELEMENTS (expected));
  output_clear (&out);
}

/* Logs the memory or the instructions cannot account for: an error naming
 * the log line and the instruction. */
typedef struct {
  const char *name;
  Step steps[2];
  int code;
  const char *message;   /* the error message starts with it */
} BadConversion;

static const BadConversion bad_conversions[] = {
  { "unmapped", { { 0x1000, CR3_A, 0x8000, FALSE }, { 0x9000, CR3_A, 0x8000, FALSE } },
    IPT_ERROR_UNMAPPED,
    "test.log:19: 0x9000: the memory does not map this instruction (CR3 0x10000)" },
  /* A CR3 that changes after a plain nop: not what the instruction can do,
   * so not a trace libipt could follow. */
  { "cr3-without-mov", { { 0x1000, CR3_A, 0x8000, FALSE }, { 0x1001, CR3_B, 0x8000, FALSE } },
    IPT_ERROR_NOT_SUPPORTED, "test.log:1: 0x1000: CR3 changed" },
};

static void
test_convert_bad (gconstpointer data)
{
  const BadConversion *bad = data;
  g_autoptr(GString) log = log_of (bad->steps, G_N_ELEMENTS (bad->steps));
  g_autoptr(IptImage) image = test_image ();
  g_autoptr(GError) error = NULL;
  IptRecordQemuStats stats;
  Output out = { 0 };

  g_assert_false (convert (log, image, &out, &stats, &error));
  g_assert_error (error, IPT_ERROR, bad->code);
  if (!g_str_has_prefix (error->message, bad->message))
    g_error ("%s: \"%s\" does not start with \"%s\"", bad->name, error->message, bad->message);
  output_clear (&out);
}

/* Leading 32-bit entries (before long mode) are skipped; a switch to a
 * 32-bit compatibility-mode code segment by a far branch is MODE.Exec, and
 * so are an interrupt into 64-bit code and the iretq back. */
static void
test_convert_skip_and_compat (void)
{
  static const guint8 far_code[] = { 0x48, 0xcf };   /* 5000 iretq */
  static const guint8 compat_code[] = { 0x90, 0x90, 0x90 }; /* 6000 nop; nop; nop */
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(IptImage) image = test_image ();
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) entries = NULL, decoded = NULL;
  static const guint64 expected[] = { 0x5000, 0x6000, 0x6001, 0x3000, 0x3001, 0x6002 };
  IptRecordQemuStats stats;
  Output out = { 0 };

  ipt_mock_provider_add_bytes (mock, 0x5000, far_code, sizeof far_code, NULL);
  ipt_mock_provider_add_bytes (mock, 0x6000, compat_code, sizeof compat_code, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  g_string_append (log,
      "Trace 0: 0x7f3c982023c0 [00000000000f0000/00000000000fff53/00000040/ff000201] \n"
      "EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000000\n"
      "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00006d10\n"
      "EIP=0000ff53 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"
      "CS =f000 000f0000 ffffffff 008f9b00\n"
      "CR0=00000010 CR2=00000000 CR3=00000000 CR4=00000000\n"
      "EFER=0000000000000000\n");
  append_entry (log, 0x5000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  append_entry (log, 0x6000, CR3_A, 0x8000, TRUE, CS32_USER);
  append_entry (log, 0x6001, CR3_A, 0x8000, TRUE, CS32_USER);
  append_entry (log, 0x3000, CR3_A, 0x7fd0, FALSE, CS64_KERNEL);
  append_entry (log, 0x3001, CR3_A, 0x7fd0, FALSE, CS64_KERNEL);
  append_entry (log, 0x6002, CR3_A, 0x8000, TRUE, CS32_USER);
  entries = parse (log->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 7);

  g_assert_true (convert (log, image, &out, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_skipped, ==, 1);
  g_assert_cmpuint (stats.n_interrupts, ==, 1);
  decoded = decode (image, out.trace);
  assert_ips (decoded, expected, G_N_ELEMENTS (expected));
  output_clear (&out);
}

/* The same log and memory through the binaries: ipt-record --qemu-log
 * with raw files as the guest's memory (one per address space for the
 * user page), then ipt-analyze --pt over the same. */
typedef struct {
  char *dir;
  char *log;
  GPtrArray *memory;  /* --plugin SPEC, SPEC, … */
  char *out;
  char *err;
  int status;
} Cli;

static void
write_file (const char *dir, const char *name, const void *bytes, gsize size, char **path)
{
  g_autoptr(GError) error = NULL;

  *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (*path, bytes, size, &error));
  g_assert_no_error (error);
}

static void
cli_setup (Cli *cli, const GString *log)
{
  g_autofree char *kernel = NULL, *handler = NULL, *syscall = NULL, *user = NULL, *traps = NULL;
  guint8 nops[0x100];

  memset (nops, 0x90, sizeof nops);
  cli->dir = g_dir_make_tmp ("test-record-qemu-XXXXXX", NULL);
  write_file (cli->dir, "exec.log", log->str, log->len, &cli->log);
  write_file (cli->dir, "kernel", kernel_code, sizeof kernel_code, &kernel);
  write_file (cli->dir, "handler", handler_code, sizeof handler_code, &handler);
  write_file (cli->dir, "syscall", syscall_code, sizeof syscall_code, &syscall);
  write_file (cli->dir, "user-b", user_code, sizeof user_code, &user);
  write_file (cli->dir, "user-a", nops, sizeof nops, &traps);
  cli->memory = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (cli->memory, g_strdup_printf ("raw:file=%s,base=0x1000", kernel));
  g_ptr_array_add (cli->memory, g_strdup_printf ("raw:file=%s,base=0x3000", handler));
  g_ptr_array_add (cli->memory, g_strdup_printf ("raw:file=%s,base=0x4000", syscall));
  g_ptr_array_add (cli->memory, g_strdup_printf ("raw:file=%s,base=0x2000,cr3=0x%x", user, CR3_B));
  g_ptr_array_add (cli->memory, g_strdup_printf ("raw:file=%s,base=0x2000,cr3=0x%x", traps, CR3_A));
}

static void
cli_run (Cli *cli, const char *program, const char *const *args, gboolean memory)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_env_path (program));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  for (guint i = 0; memory && i < cli->memory->len; i++)
    {
      g_ptr_array_add (argv, "--plugin");
      g_ptr_array_add (argv, cli->memory->pdata[i]);
    }
  g_ptr_array_add (argv, NULL);
  g_clear_pointer (&cli->out, g_free);
  g_clear_pointer (&cli->err, g_free);
  cli->status = test_spawn_full (cli->dir, (const char *const *) argv->pdata, NULL, NULL,
                                 &cli->out, &cli->err);
}

static void
cli_teardown (Cli *cli)
{
  static const char *const names[] = { "exec.log", "kernel", "handler", "syscall", "user-a",
                                       "user-b", "out/trace.pt", "out/ips", "out" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (cli->dir, names[i], NULL);
      g_remove (path);
    }
  g_rmdir (cli->dir);
  g_free (cli->dir);
  g_free (cli->log);
  g_ptr_array_unref (cli->memory);
  g_free (cli->out);
  g_free (cli->err);
}

/* The instruction addresses of an ipt-analyze listing (event lines, in
 * brackets, left out). */
static GArray *
listing_ips (const char *listing)
{
  g_autoptr(GArray) ips = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_auto(GStrv) lines = test_split_lines (listing);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 ip;

      if (lines[i][0] == '\0' || lines[i][0] == '[')
        continue;
      ip = g_ascii_strtoull (lines[i], NULL, 16);
      g_array_append_val (ips, ip);
    }
  return g_steal_pointer (&ips);
}

static void
test_cli_decode (void)
{
  static const Step steps[] = {
    { 0x1000, CR3_A, 0x8000, FALSE },
    { 0x1001, CR3_A, 0x8000, FALSE },
    { 0x1004, CR3_B, 0x8000, FALSE },
    { 0x1005, CR3_B, 0x8000, FALSE },
    { 0x1005, CR3_B, 0x8000, FALSE },
    { 0x1007, CR3_B, 0x8000, FALSE },
    { 0x100b, CR3_B, 0x8000, FALSE },
    { 0x2000, CR3_B, 0x7ff8, FALSE },
    { 0x3000, CR3_B, 0x7fd0, FALSE },
    { 0x3001, CR3_B, 0x7fd0, FALSE },
    { 0x2001, CR3_B, 0x7ff8, FALSE },
    { 0x3000, CR3_B, 0x7fc8, FALSE },
    { 0x3001, CR3_B, 0x7fd0, FALSE },
    { 0x2001, CR3_B, 0x7ff8, FALSE },
    { 0x2002, CR3_B, 0x7ff8, FALSE },
    { 0x4000, CR3_B, 0x7ff8, FALSE },
    { 0x4001, CR3_B, 0x7ff8, FALSE },
    { 0x2004, CR3_B, 0x7ff8, TRUE },
    { 0x2005, CR3_B, 0x7ff8, TRUE },
  };
  static const guint64 expected[] = {
    0x1000, 0x1001, 0x1004, 0x1005, 0x1007, 0x100b, 0x2000, 0x3000, 0x3001,
    0x3000, 0x3001, 0x2001, 0x2002, 0x4000, 0x4001, 0x2004, 0x2005,
  };
  g_autoptr(GString) log = log_of (steps, G_N_ELEMENTS (steps));
  g_autoptr(GArray) decoded = NULL, listed = NULL;
  g_autofree char *ips_path = NULL;
  Cli cli = { 0 };

  cli_setup (&cli, log);
  cli_run (&cli, "IPT_RECORD", (const char *const[]) { "--qemu-log", "exec.log", "-o", "out",
                                                      "--psb-period", "64", NULL }, TRUE);
  g_assert_cmpstr (cli.err, ==, "");
  g_assert_cmpint (cli.status, ==, 0);
  cli_run (&cli, "IPT_ANALYZE", (const char *const[]) { "--pt", "out/trace.pt", NULL }, TRUE);
  g_assert_cmpstr (cli.err, ==, "");
  g_assert_cmpint (cli.status, ==, 0);
  /* The CR3 switch is in the listing, as a paging event. */
  g_assert_nonnull (strstr (cli.out, "[paging, cr3: 0000000000020000]"));
  decoded = listing_ips (cli.out);
  ips_path = g_build_filename (cli.dir, "out", "ips", NULL);
  listed = read_ips (ips_path);
  assert_ips (listed, expected, G_N_ELEMENTS (expected));
  assert_ips (decoded, expected, G_N_ELEMENTS (expected));
  cli_teardown (&cli);
}

/* A bad log: exit 125 and one line naming the file and the line. */
static void
test_cli_bad_log (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *out_dir = NULL;
  Cli cli = { 0 };

  append_entry (log, 0x1000, CR3_A, 0x8000, FALSE, CS64_KERNEL);
  g_string_append (log, "hello\n");
  cli_setup (&cli, log);
  cli_run (&cli, "IPT_RECORD", (const char *const[]) { "--qemu-log", "exec.log", "-o", "out",
                                                      NULL }, TRUE);
  g_assert_cmpint (cli.status, ==, 125);
  g_assert_cmpstr (cli.err, ==, "ipt-record: error: exec.log:19: not a line of a QEMU "
                   "execution log (-d exec,cpu,nochain)\n");
  /* The log is read before DIR is touched. */
  out_dir = g_build_filename (cli.dir, "out", NULL);
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));

  cli_run (&cli, "IPT_RECORD", (const char *const[]) { "--qemu-log", "exec.log", "-o", "out",
                                                      NULL }, FALSE);
  g_assert_cmpint (cli.status, ==, 125);
  g_assert_cmpstr (cli.err, ==, "ipt-record: error: --qemu-log needs the guest's memory: "
                   "--snapshot FILE or --plugin\n");
  cli_teardown (&cli);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record/qemu-log/parse/entries", test_parse_entries);
  g_test_add_func ("/record/qemu-log/parse/stopped-and-interrupt-records",
                   test_parse_stopped_and_interrupts);
  g_test_add_func ("/record/qemu-log/parse/empty", test_parse_empty);
  g_test_add_func ("/record/qemu-log/parse/long-line", test_parse_long_line);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_logs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record/qemu-log/parse/bad/%s", bad_logs[i].name);
      g_test_add_data_func (path, &bad_logs[i], test_parse_bad);
    }
  g_test_add_func ("/record/qemu-log/convert/flow", test_convert_flow);
  g_test_add_func ("/record/qemu-log/convert/cr3-filter", test_convert_cr3_filter);
  g_test_add_func ("/record/qemu-log/convert/far-branch-to-another-cr3", test_convert_far_cr3);
  g_test_add_func ("/record/qemu-log/convert/last-branch-not-counted", test_convert_last_branch);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_conversions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record/qemu-log/convert/bad/%s",
                                               bad_conversions[i].name);
      g_test_add_data_func (path, &bad_conversions[i], test_convert_bad);
    }
  g_test_add_func ("/record/qemu-log/convert/skip-32-bit-and-compat-mode",
                   test_convert_skip_and_compat);
  g_test_add_func ("/record/qemu-log/cli/decode", test_cli_decode);
  g_test_add_func ("/record/qemu-log/cli/bad-log", test_cli_bad_log);
  return g_test_run ();
}
