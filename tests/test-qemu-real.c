/* test-qemu-real.c: the migration stream and qcow2 parsers
 * (plugins/qemu/ipt-qemu-migration.c, ipt-qcow2.c) against what the real
 * qemu-system-x86_64 writes (suite 'qemu': fails without it). A 16 MiB PC
 * guest runs its BIOS for a moment under TCG and stops; through QMP
 * (-qmp stdio) the test takes a migration stream (`migrate
 * "exec:cat > FILE"`), `info ramblock`, `info registers`, `pmemsave` of
 * pc.ram and of the BIOS below 4 GiB, and `savevm` into a qcow2 image. Then:
 * the stream's blocks have QEMU's sizes, its RAM read back equals the
 * saved physical memory, its vCPU equals the registers (also when read
 * without the VMDESCRIPTION, at vmstate_x86_cpu version 12's offsets), and
 * the qcow2's vmstate holds the same RAM and vCPU. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <ipt-analyze/ipt-analyze.h>
#include <json-glib/json-glib.h>

#include "../plugins/qemu/ipt-qcow2.h"
#include "../plugins/qemu/ipt-qemu-snapshot.h"
#include "qemu-parsed.h"

#define RAM_SIZE (16 * 1024 * 1024)
#define BIOS_SIZE 0x40000
#define BIOS_AT 0xfffc0000u   /* pc.bios ends at 4 GiB */

typedef struct {
  GSubprocess *qemu;
  GOutputStream *in;
  GDataInputStream *out;
} Qmp;

/* Sends @command (a JSON object) and returns its "return" member, skipping
 * events. */
static JsonNode *
qmp (Qmp *q, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line_out = g_strconcat (command, "\n", NULL);

  /* one write: QEMU runs a command as soon as its JSON is whole, and after
   * "quit" a second write would find it gone */
  if (!g_output_stream_write_all (q->in, line_out, strlen (line_out), NULL, NULL, &error))
    {
      g_subprocess_wait (q->qemu, NULL, NULL);
      g_error ("QMP %s: %s (qemu %s %d)", command, error->message,
               g_subprocess_get_if_signaled (q->qemu) ? "killed by signal" : "exited with",
               g_subprocess_get_if_signaled (q->qemu) ? g_subprocess_get_term_sig (q->qemu)
                                                      : g_subprocess_get_exit_status (q->qemu));
    }
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (q->out, NULL, NULL, &error);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *reply;

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("qemu closed QMP after %s", command);
      if (!json_parser_load_from_data (parser, line, -1, NULL))
        continue;
      reply = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (reply, "error"))
        g_error ("QMP %s: %s", command, line);
      if (json_object_has_member (reply, "return"))
        return json_node_copy (json_object_get_member (reply, "return"));
    }
}

static char *
hmp (Qmp *q, const char *command_line)
{
  g_autofree char *escaped = g_strescape (command_line, NULL);
  g_autofree char *command = g_strdup_printf (
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"%s\"}}", escaped);
  g_autoptr (JsonNode) ret = qmp (q, command);

  return g_strdup (json_node_get_string (ret));
}

/* A 16 MiB PC guest under TCG with QMP on its standard input and output,
 * its disk @drive (NULL: none), QMP ready. */
static void
qemu_start (Qmp *m, const char *drive)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  const char *argv[] = { "qemu-system-x86_64", "-accel", "tcg", "-display", "none", "-nodefaults",
                         "-machine", "pc", "-m", "16", "-qmp", "stdio", drive != NULL ? "-drive" : NULL,
                         drive, NULL };

  if (qemu == NULL || qemu_img == NULL)
    g_error ("qemu-system-x86_64 and qemu-img are needed (Debian: qemu-system-x86, qemu-utils)");
  m->qemu = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  m->in = g_subprocess_get_stdin_pipe (m->qemu);
  m->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (m->qemu));
  greeting = g_data_input_stream_read_line (m->out, NULL, NULL, &error);
  g_assert_nonnull (greeting);
  json_node_unref (qmp (m, "{\"execute\":\"qmp_capabilities\"}"));
}

static void
qemu_quit (Qmp *m)
{
  g_autoptr (GError) error = NULL;

  json_node_unref (qmp (m, "{\"execute\":\"quit\"}"));
  g_subprocess_wait (m->qemu, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (m->out);
  g_object_unref (m->qemu);
}

/* migrate "exec:cat > @path", to its end */
static void
qemu_migrate (Qmp *m, const char *path)
{
  g_autofree char *command = g_strdup_printf (
    "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > %s\"}}", path);

  json_node_unref (qmp (m, command));
  for (;;)
    {
      g_autoptr (JsonNode) info = qmp (m, "{\"execute\":\"query-migrate\"}");
      const char *state = json_object_get_string_member_with_default (json_node_get_object (info),
                                                                        "status", "");

      if (strcmp (state, "completed") == 0)
        break;
      g_assert_cmpstr (state, !=, "failed");
      g_usleep (50 * 1000);
    }
}

static guint64
register_value (const char *registers, const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("\\b%s=([0-9a-f]+)", name);
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *hex = NULL;

  if (!g_regex_match (regex, registers, 0, &match))
    return G_MAXUINT64;
  hex = g_match_info_fetch (match, 1);
  return g_ascii_strtoull (hex, NULL, 16);
}

static IptQemuStream *
open_stream (const char *path, GMappedFile **file)
{
  g_autoptr (GError) error = NULL;

  *file = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  return ipt_qemu_stream_new_file (*file, path, NULL);
}

/* The stream parsed and placed as a PC. */
static void
parse_placed (IptQemuStream *stream, Parsed *p)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (parse (stream, p, &error));
  g_assert_no_error (error);
  g_assert_true (ipt_qemu_migration_place_pc (p->ram, p->machine, 0, &error));
  g_assert_no_error (error);
}

static void
assert_same_memory (IptQemuRam *ram, guint64 paddr, const char *saved, gsize size)
{
  g_autofree guint8 *buf = g_malloc (size);
  g_autofree char *want = NULL;
  gsize want_size;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (saved, &want, &want_size, &error));
  g_assert_cmpuint (want_size, ==, size);
  g_assert_cmpint (ipt_qemu_ram_read (ram, paddr, buf, size, NULL), ==, (gssize) size);
  for (gsize i = 0; i < size; i += 4096)
    if (memcmp (buf + i, want + i, MIN (4096, size - i)) != 0)
      g_error ("guest-physical page 0x%" G_GINT64_MODIFIER "x differs from pmemsave's",
               paddr + i);
}

static void
assert_same_cpus (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpmem (&g_array_index (a, IptQemuCpu, i), sizeof (IptQemuCpu),
                     &g_array_index (b, IptQemuCpu, i), sizeof (IptQemuCpu));
}

/* Every page of every block holds the same bytes in both. */
static void
assert_same_ram (IptQemuRam *a, IptQemuRam *b)
{
  const IptQemuRamBlock *const *ba, *const *bb;
  gsize na, nb;
  guint8 pa[4096], pb[4096];

  ba = ipt_qemu_ram_get_blocks (a, &na);
  bb = ipt_qemu_ram_get_blocks (b, &nb);
  g_assert_cmpuint (na, ==, nb);
  for (gsize i = 0; i < na; i++)
    {
      g_assert_cmpstr (ipt_qemu_ram_block_get_name (ba[i]), ==, ipt_qemu_ram_block_get_name (bb[i]));
      g_assert_cmpuint (ipt_qemu_ram_block_get_size (ba[i]), ==, ipt_qemu_ram_block_get_size (bb[i]));
      for (guint64 k = 0; k < ipt_qemu_ram_block_get_size (ba[i]) / 4096; k++)
        {
          guint64 la = ipt_qemu_ram_block_get_page (ba[i], k);
          guint64 lb = ipt_qemu_ram_block_get_page (bb[i], k);

          g_assert_cmpuint (la == IPT_QEMU_RAM_PAGE_ABSENT, ==, lb == IPT_QEMU_RAM_PAGE_ABSENT);
          memset (pa, 0, sizeof pa);
          memset (pb, 0, sizeof pb);
          if (la < IPT_QEMU_RAM_PAGE_ABSENT)
            ipt_qemu_stream_read (ipt_qemu_ram_get_stream (a), la, pa, sizeof pa);
          if (lb < IPT_QEMU_RAM_PAGE_ABSENT)
            ipt_qemu_stream_read (ipt_qemu_ram_get_stream (b), lb, pb, sizeof pb);
          g_assert_cmpmem (pa, sizeof pa, pb, sizeof pb);
        }
    }
}

static void
test_real (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-qemu-real-XXXXXX", NULL);
  g_autofree char *disk = g_build_filename (dir, "disk.qcow2", NULL);
  g_autofree char *mig = g_build_filename (dir, "mig.bin", NULL);
  g_autofree char *ram_file = g_build_filename (dir, "ram.bin", NULL);
  g_autofree char *bios_file = g_build_filename (dir, "bios.bin", NULL);
  g_autofree char *drive = g_strdup_printf ("file=%s,format=qcow2,if=none,id=d0", disk);
  g_autofree char *registers = NULL, *ramblocks = NULL, *command = NULL, *out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mig_file = NULL, disk_file = NULL;
  g_autoptr (IptQemuStream) stream = NULL, cut = NULL, vmstate = NULL;
  g_autofree char *chosen = NULL;
  g_auto (GStrv) lines = NULL;
  Parsed p, q, r;
  Qmp m = { 0 };
  gint status;
  guint n_blocks = 0;

  {
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", disk, "16M", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }
  qemu_start (&m, drive);
  g_usleep (500 * 1000);   /* the BIOS fills some of pc.ram */
  json_node_unref (qmp (&m, "{\"execute\":\"stop\"}"));
  registers = hmp (&m, "info registers");
  ramblocks = hmp (&m, "info ramblock");
  command = g_strdup_printf ("pmemsave 0 %u \"%s\"", RAM_SIZE, ram_file);
  g_free (hmp (&m, command));
  g_free (command);
  command = g_strdup_printf ("pmemsave 0x%x %u \"%s\"", BIOS_AT, BIOS_SIZE, bios_file);
  g_free (hmp (&m, command));
  out = hmp (&m, "savevm snap1");
  g_assert_cmpstr (out, ==, "");
  /* last: a completed migration leaves the block devices inactive */
  qemu_migrate (&m, mig);
  qemu_quit (&m);

  /* the stream: QEMU's blocks, RAM and registers */
  stream = open_stream (mig, &mig_file);
  parse_placed (stream, &p);
  g_assert_cmpstr (p.machine, ==, "pc-i440fx-7.2");
  lines = g_strsplit (ramblocks, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) col = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr (GPtrArray) words = g_ptr_array_new ();
      IptQemuRamBlock *block;

      for (guint k = 0; col[k] != NULL; k++)
        if (*col[k] != '\0')
          g_ptr_array_add (words, col[k]);
      if (words->len != 6)
        continue;
      /* Block Name, PSize (two words), Offset, Used, Total */
      block = ipt_qemu_ram_find_block (p.ram, g_ptr_array_index (words, 0));
      g_assert_nonnull (block);
      g_assert_cmpuint (ipt_qemu_ram_block_get_size (block), ==,
                        g_ascii_strtoull (g_ptr_array_index (words, 4), NULL, 16));
      n_blocks++;
    }
  {
    gsize n;

    ipt_qemu_ram_get_blocks (p.ram, &n);
    g_assert_cmpuint (n, ==, n_blocks);
    g_assert_cmpuint (n, >=, 2);
  }
  {
    guint64 stored, zero, absent;

    /* the BIOS wrote pages: the comparison below is not one of zeros */
    ipt_qemu_ram_block_count_pages (ipt_qemu_ram_find_block (p.ram, "pc.ram"), &stored, &zero,
                                    &absent);
    g_test_message ("pc.ram: %" G_GUINT64_FORMAT " pages stored, %" G_GUINT64_FORMAT " zero",
                    stored, zero);
    g_assert_cmpuint (stored, >, 0);
    g_assert_cmpuint (absent, ==, 0);
  }
  assert_same_memory (p.ram, 0, ram_file, RAM_SIZE);
  assert_same_memory (p.ram, BIOS_AT, bios_file, BIOS_SIZE);
  {
    const IptQemuCpu *cpu;
    guint64 rip = register_value (registers, "RIP");

    g_assert_cmpuint (p.cpus->len, ==, 1);
    cpu = &g_array_index (p.cpus, IptQemuCpu, 0);
    g_assert_cmpuint (cpu->index, ==, 0);
    g_assert_cmpuint (cpu->cr0, ==, register_value (registers, "CR0"));
    g_assert_cmpuint (cpu->cr3, ==, register_value (registers, "CR3"));
    g_assert_cmpuint (cpu->cr4, ==, register_value (registers, "CR4"));
    g_assert_cmpuint (cpu->efer, ==, register_value (registers, "EFER"));
    if (rip == G_MAXUINT64)
      {
        g_assert_cmpuint (cpu->rip, ==, register_value (registers, "EIP"));
        g_assert_cmpuint (cpu->rsp & 0xffffffff, ==, register_value (registers, "ESP"));
      }
    else
      g_assert_cmpuint (cpu->rip, ==, rip);
  }

  /* without its VMDESCRIPTION (cut after the EOF marker): the same */
  {
    const guint8 *data = (const guint8 *) g_mapped_file_get_contents (mig_file);
    gsize size = g_mapped_file_get_length (mig_file);
    const guint8 *json = NULL;
    IptQemuExtent extent = { 0, 0, 0 };

    for (gsize i = size - 12; i > 6 && json == NULL; i--)
      if (memcmp (data + i, "{\"page_size\"", 12) == 0)
        json = data + i;
    g_assert_nonnull (json);
    g_assert_cmpuint (json[-5], ==, 0x06);
    g_assert_cmpuint (json[-6], ==, 0x00);
    extent.size = (guint64) (json - data) - 5;
    cut = ipt_qemu_stream_new_extents (mig_file, mig, "cut", &extent, 1);
    parse_placed (cut, &r);
    assert_same_ram (p.ram, r.ram);
    assert_same_cpus (p.cpus, r.cpus);
    parsed_clear (&r);
  }

  /* the savevm: the same RAM and vCPU */
  disk_file = g_mapped_file_new (disk, FALSE, &error);
  g_assert_no_error (error);
  vmstate = ipt_qcow2_open_vmstate (disk_file, disk, NULL, &chosen, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chosen, ==, "snap1");
  parse_placed (vmstate, &q);
  assert_same_ram (p.ram, q.ram);
  assert_same_cpus (p.cpus, q.cpus);
  assert_same_memory (q.ram, 0, ram_file, RAM_SIZE);
  parsed_clear (&q);
  parsed_clear (&p);

  g_unlink (disk);
  g_unlink (mig);
  g_unlink (ram_file);
  g_unlink (bios_file);
  g_rmdir (dir);
}

/* With the compress capability QEMU sends COMPRESS_PAGE records: refused,
 * with the offset of the first. */
static void
test_compressed (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-qemu-real-XXXXXX", NULL);
  g_autofree char *mig = g_build_filename (dir, "mig.bin", NULL);
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (IptQemuStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  Parsed p;
  Qmp m = { 0 };

  qemu_start (&m, NULL);
  json_node_unref (qmp (&m, "{\"execute\":\"stop\"}"));
  json_node_unref (qmp (&m, "{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
                            "{\"capabilities\":[{\"capability\":\"compress\",\"state\":true}]}}"));
  qemu_migrate (&m, mig);
  qemu_quit (&m);

  stream = open_stream (mig, &file);
  g_assert_false (parse (stream, &p, &error));
  parsed_clear (&p);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED);
  expected = g_strdup_printf ("%s: offset 0x", mig);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_assert_nonnull (strstr (error->message, "a compressed page (the compress capability)"));
  g_unlink (mig);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);   /* a qemu that died is a write error, said */
  g_test_add_func ("/qemu/real/migration-and-savevm", test_real);
  g_test_add_func ("/qemu/real/compressed-pages-refused", test_compressed);
  return g_test_run ();
}
