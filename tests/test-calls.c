/* test-calls.c: the call analysis (IptCalls) on ipt-record recordings of
 * tests/record/flow.c (recursion, qsort's callback, setjmp/longjmp,
 * signals, siglongjmp out of handlers). The calls must equal a
 * reconstruction made here, independently of the decoder: from DIR/ips
 * (every executed instruction), the program's symbols (nm) and its
 * instruction bytes (Zydis over the ELF file). Both decoders must give the
 * same outputs, a trace decoded in pieces split at PSBs and merged must
 * give the whole's byte for byte, a gap must end every frame, and the
 * Chrome trace must parse and nest. tests/record/calls.c adds what flow.c
 * lacks: a tail call written as a jump, a return no call matches.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <elf.h>
#include <string.h>

#include <Zydis/Zydis.h>
#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "test-calls-common.h"

/* ---- one recording, shared by the tests ---- */

typedef struct {
  char *dir;
  char *program;
  char *trace_path;
  GBytes *trace;
  GArray *psbs;                 /* guint64 offsets */
  IptImage *image;
  IptSymbolResolver *symbols;
} Recording;

static Recording recording;

static char *
dir_file (const Recording *rec, const char *name)
{
  return g_build_filename (rec->dir, name, NULL);
}



/* Records the program $@program_env names, with a PSB every 256 bytes:
 * many places to split. */
static void
record_program (Recording *rec, const char *program_env)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *addr = NULL, *dump = NULL, *pagedump = NULL, *elf = NULL;
  g_autoptr(IptMemoryProvider) pages = NULL;
  g_autoptr(IptMemoryProvider) file = NULL;
  const guint8 *data;
  gsize size;

  rec->dir = g_dir_make_tmp ("test-calls-XXXXXX", &error);
  g_assert_no_error (error);
  rec->program = g_strdup (test_env_path (program_env));
  {
    const char *argv[] = { test_env_path ("IPT_RECORD"), "--psb-period", "256", "-o", rec->dir,
                           "--", rec->program, NULL };

    g_assert_cmpint (test_spawn (argv, NULL, NULL), ==, 0);
  }

  rec->trace_path = dir_file (rec, "trace.pt");
  {
    g_autoptr(GMappedFile) mapped = g_mapped_file_new (rec->trace_path, FALSE, &error);

    g_assert_no_error (error);
    rec->trace = g_mapped_file_get_bytes (mapped);
  }
  data = g_bytes_get_data (rec->trace, &size);
  rec->psbs = test_find_psbs (data, size);
  g_assert_cmpuint (rec->psbs->len, >, 10);

  /* The recorded pages first; the executable for its symbols. */
  addr = dir_file (rec, "pages.addr");
  dump = dir_file (rec, "pages.dump");
  pagedump = g_strdup_printf ("pagedump:addr=%s,dump=%s", addr, dump);
  elf = g_strdup_printf ("elf:file=%s", rec->program);
  pages = new_provider (pagedump);
  file = new_provider (elf);
  rec->image = ipt_image_new (program_env);
  ipt_image_add_provider (rec->image, pages);
  ipt_image_add_provider (rec->image, file);
  rec->symbols = ipt_symbol_resolver_new_for_model (ipt_image_get_providers (rec->image));
  g_assert_cmpuint (ipt_symbol_resolver_get_n_sources (rec->symbols), >, 0);
}

static void
recording_clear (Recording *rec)
{
  test_remove_tree (rec->dir);
  g_free (rec->dir);
  g_free (rec->program);
  g_free (rec->trace_path);
  g_bytes_unref (rec->trace);
  g_array_unref (rec->psbs);
  g_object_unref (rec->image);
  ipt_symbol_resolver_unref (rec->symbols);
}

/* ---- decoding and the outputs ---- */

static IptCalls *
decode_recording (const Recording *rec, IptDecoderKind kind, guint64 from, guint64 to)
{
  return calls_decode (rec->image, rec->symbols, kind, rec->trace_path, from, to);
}

static IptCalls *
decode (IptDecoderKind kind, guint64 from, guint64 to)
{
  return decode_recording (&recording, kind, from, to);
}

/* ---- the independent reconstruction ---- */

typedef struct {
  guint64 start;
  guint64 size;
  char *name;
} NmSymbol;

typedef struct {
  GArray *symbols;              /* NmSymbol, sorted by start */
  GHashTable *starts;           /* name -> GArray of guint64 starts */
  guint8 *elf;
  gsize elf_size;
  ZydisDecoder zydis;
} Program;

static gint
compare_nm (gconstpointer a, gconstpointer b)
{
  const NmSymbol *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

static void
program_load (Program *program, const Recording *rec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "nm", "-S", "--defined-only", rec->program, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  program->symbols = g_array_new (FALSE, FALSE, sizeof (NmSymbol));
  program->starts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_array_unref);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (lines[i], " ", -1);
      guint n = g_strv_length (f);
      NmSymbol symbol = { 0 };
      const char *type;
      GArray *starts;

      if (n != 3 && n != 4)
        continue;
      type = f[n - 2];
      /* code: text, weak and indirect functions */
      if (strlen (type) != 1 || strchr ("TtWwi", type[0]) == NULL)
        continue;
      symbol.start = g_ascii_strtoull (f[0], NULL, 16);
      symbol.size = n == 4 ? g_ascii_strtoull (f[1], NULL, 16) : 0;
      symbol.name = g_strdup (f[n - 1]);
      g_array_append_val (program->symbols, symbol);
      starts = g_hash_table_lookup (program->starts, symbol.name);
      if (starts == NULL)
        {
          starts = g_array_new (FALSE, FALSE, sizeof (guint64));
          g_hash_table_insert (program->starts, g_strdup (symbol.name), starts);
        }
      g_array_append_val (starts, symbol.start);
    }
  g_array_sort (program->symbols, compare_nm);
  g_assert_cmpuint (program->symbols->len, >, 100);

  g_file_get_contents (rec->program, (char **) &program->elf, &program->elf_size, &error);
  g_assert_no_error (error);
  g_assert_true (ZYAN_SUCCESS (ZydisDecoderInit (&program->zydis, ZYDIS_MACHINE_MODE_LONG_64,
                                                 ZYDIS_STACK_WIDTH_64)));
}

static void
program_clear (Program *program)
{
  for (guint i = 0; i < program->symbols->len; i++)
    g_free (g_array_index (program->symbols, NmSymbol, i).name);
  g_array_unref (program->symbols);
  g_hash_table_unref (program->starts);
  g_free (program->elf);
}

/* The end of the allocated section holding @address, or G_MAXUINT64. */
static guint64
section_end (const Program *program, guint64 address)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) (gconstpointer) program->elf;

  for (guint i = 0; i < eh->e_shnum; i++)
    {
      const Elf64_Shdr *sh = (const Elf64_Shdr *) (gconstpointer)
        (program->elf + eh->e_shoff + (gsize) i * eh->e_shentsize);

      if ((sh->sh_flags & SHF_ALLOC) && address >= sh->sh_addr &&
          address < sh->sh_addr + sh->sh_size)
        return sh->sh_addr + sh->sh_size;
    }
  return G_MAXUINT64;
}

/* The innermost symbol containing @address: a sized one covers its size,
 * one without a size reaches the next symbol or its section's end.
 * Without one, @address is its own function (the sink names code no
 * symbol covers by address). */
static void
function_of (const Program *program, guint64 address, guint64 *start, guint64 *end)
{
  const NmSymbol *syms = (const NmSymbol *) (gconstpointer) program->symbols->data;
  guint n = program->symbols->len;

  for (guint i = n; i-- > 0;)
    {
      guint64 limit;

      if (syms[i].start > address)
        continue;
      if (syms[i].size != 0)
        limit = syms[i].start + syms[i].size;
      else
        {
          guint j = i + 1;

          while (j < n && syms[j].start == syms[i].start)
            j++;
          limit = MIN (j < n ? syms[j].start : G_MAXUINT64,
                       section_end (program, syms[i].start));
        }
      if (address < limit)
        {
          /* sized aliases at this start decide the extent */
          guint64 size = 0;

          for (guint k = 0; k < n; k++)
            if (syms[k].start == syms[i].start && syms[k].size > size)
              size = syms[k].size;
          *start = syms[i].start;
          *end = size != 0 ? syms[i].start + size : G_MAXUINT64;
          return;
        }
    }
  *start = address;
  *end = G_MAXUINT64;
}

/* @size bytes at @address in the static executable's file, or NULL. */
static const guint8 *
program_bytes (const Program *program, guint64 address, gsize size)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) (gconstpointer) program->elf;

  for (guint i = 0; i < eh->e_phnum; i++)
    {
      const Elf64_Phdr *ph = (const Elf64_Phdr *) (gconstpointer)
        (program->elf + eh->e_phoff + (gsize) i * eh->e_phentsize);

      if (ph->p_type == PT_LOAD && address >= ph->p_vaddr &&
          address + size <= ph->p_vaddr + ph->p_filesz)
        return program->elf + ph->p_offset + (address - ph->p_vaddr);
    }
  return NULL;
}

enum { OPEN_ROOT, OPEN_CALL, OPEN_TAIL, OPEN_ASYNC };

typedef struct {
  guint64 start, end;           /* the function */
  guint64 ret;
  guint64 resume;
  guint64 resume_too;           /* a fault after a jcc: either way */
  int open;
} MyFrame;

typedef struct {
  const Program *program;
  GArray *stack;                /* MyFrame */
  GString *out;                 /* "INDEX DEPTH WORD START" lines */
} Mine;

static void
emit (Mine *mine, guint64 index, guint depth, const char *word, guint64 start)
{
  g_string_append_printf (mine->out, "%" G_GUINT64_FORMAT " %u %s %" G_GINT64_MODIFIER "x\n",
                          index, depth, word, start);
}

static MyFrame *
my_top (Mine *mine)
{
  return &g_array_index (mine->stack, MyFrame, mine->stack->len - 1);
}

static void
my_push (Mine *mine, guint64 index, guint64 to, guint64 ret, guint64 resume, int open,
         const char *word)
{
  MyFrame frame = { 0, 0, ret, resume, resume, open };

  function_of (mine->program, to, &frame.start, &frame.end);
  g_array_append_val (mine->stack, frame);
  emit (mine, index, mine->stack->len - 1, word, frame.start);
}

/* Pops down to @keep frames; the deepest popped ends with @word. */
static void
my_pop_to (Mine *mine, guint64 index, guint keep, const char *word)
{
  while (mine->stack->len > keep)
    {
      guint depth = mine->stack->len - 1;

      emit (mine, index, depth, depth == keep ? word : "unwind", my_top (mine)->start);
      g_array_set_size (mine->stack, depth);
    }
}

static void
my_land2 (Mine *mine, guint64 index, guint64 resume, guint64 resume_too, guint64 to)
{
  for (guint i = mine->stack->len; i-- > 0;)
    {
      MyFrame *frame = &g_array_index (mine->stack, MyFrame, i);

      if (frame->open == OPEN_ASYNC && (frame->resume == to || frame->resume_too == to))
        {
          my_pop_to (mine, index, i, "resume");
          return;
        }
    }
  for (guint i = mine->stack->len; i-- > 0;)
    if (g_array_index (mine->stack, MyFrame, i).ret == to)
      {
        my_pop_to (mine, index, i, "return");
        return;
      }
  my_push (mine, index, to, G_MAXUINT64, resume, OPEN_ASYNC, "async");
  my_top (mine)->resume_too = resume_too;
}

static void
my_land (Mine *mine, guint64 index, guint64 resume, guint64 to)
{
  my_land2 (mine, index, resume, resume, to);
}

static void
my_ret (Mine *mine, guint64 index, guint64 to)
{
  MyFrame top;

  for (guint i = mine->stack->len; i-- > 0;)
    if (g_array_index (mine->stack, MyFrame, i).ret == to)
      {
        my_pop_to (mine, index, i, "return");
        return;
      }
  top = *my_top (mine);
  if (top.open == OPEN_ASYNC)
    {
      my_pop_to (mine, index, mine->stack->len - 1, "return");
      my_push (mine, index, to, G_MAXUINT64, top.resume, OPEN_ASYNC, "async");
    }
  else if (top.open == OPEN_ROOT)
    {
      my_pop_to (mine, index, 0, "return");
      my_push (mine, index, to, G_MAXUINT64, G_MAXUINT64, OPEN_ROOT, "caller");
    }
  else
    emit (mine, index, mine->stack->len, "return", 0);
}

static void
my_jump (Mine *mine, guint64 index, guint64 to)
{
  guint64 start, end;
  MyFrame top;
  static const char *const words[] = { "start", "tail", "tail", "async" };

  function_of (mine->program, to, &start, &end);
  if (to != start)
    for (guint i = mine->stack->len - 1; i-- > 0;)
      if (g_array_index (mine->stack, MyFrame, i).start == start)
        {
          my_pop_to (mine, index, i + 1, "unwind");
          return;
        }
  top = *my_top (mine);
  my_pop_to (mine, index, mine->stack->len - 1, "tailed");
  my_push (mine, index, to, top.ret, top.resume, top.open == OPEN_CALL ? OPEN_TAIL : top.open,
           words[top.open]);
}

/* The calls of the executed addresses @ips: what each instruction's bytes
 * say it does, and where the next one is. */
static char *
reconstruct (const Program *program, const guint64 *ips, gsize n)
{
  Mine mine = { program, g_array_new (FALSE, FALSE, sizeof (MyFrame)), g_string_new (NULL) };

  ZydisRegister loaded_register = ZYDIS_REGISTER_NONE;
  ZyanU64 loaded = 0;

  my_push (&mine, 0, ips[0], G_MAXUINT64, G_MAXUINT64, OPEN_ROOT, "start");
  for (gsize i = 0; i + 1 < n; i++)
    {
      guint64 a = ips[i], b = ips[i + 1], index = i + 1, next;
      ZydisDecodedInstruction zi;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      const guint8 *bytes = program_bytes (program, a, 1);
      gsize avail = bytes != NULL ? MIN (15, program->elf_size - (gsize) (bytes - program->elf)) : 0;

      g_assert_nonnull (bytes);
      g_assert_true (ZYAN_SUCCESS (ZydisDecoderDecodeFull (&program->zydis, bytes, avail, &zi, ops)));
      next = a + zi.length;

      if (zi.mnemonic == ZYDIS_MNEMONIC_CALL)
        {
          ZyanU64 target = b;

          /* Through a pointer in the file (flow.c's never change), also
           * one the instruction before loaded: its target even when
           * fetching there faulted. */
          if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == loaded_register)
            target = loaded;
          else if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE ||
              (ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[0].mem.base == ZYDIS_REGISTER_RIP))
            {
              ZyanU64 absolute;

              g_assert_true (ZYAN_SUCCESS (ZydisCalcAbsoluteAddress (&zi, &ops[0], a, &absolute)));
              if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
                target = absolute;
              else
                {
                  const guint8 *pointer = program_bytes (program, absolute, 8);

                  if (pointer != NULL)
                    memcpy (&target, pointer, 8);
                }
            }
          my_push (&mine, index, target, next, G_MAXUINT64, OPEN_CALL, "call");
          if (b != target)
            my_land (&mine, index, target, b);
        }
      else if (zi.mnemonic == ZYDIS_MNEMONIC_RET)
        my_ret (&mine, index, b);
      else if (zi.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
               zi.meta.category == ZYDIS_CATEGORY_COND_BR)
        {
          gboolean cond = zi.meta.category == ZYDIS_CATEGORY_COND_BR;
          MyFrame *top = my_top (&mine);
          ZyanU64 taken;

          /* A direct branch to neither of its ways: the instruction there
           * faulted (a signal). */
          if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
              ZYAN_SUCCESS (ZydisCalcAbsoluteAddress (&zi, &ops[0], a, &taken)) &&
              b != taken && (!cond || b != next))
            my_land2 (&mine, index, taken, cond ? next : taken, b);
          else if (top->end != G_MAXUINT64 && (b < top->start || b >= top->end))
            my_jump (&mine, index, b);
        }
      else if (b != next)
        my_land (&mine, index, next, b);   /* a signal: syscall, fault, int3 */

      /* mov REG, [rip+disp]: what REG holds for the next instruction */
      loaded_register = ZYDIS_REGISTER_NONE;
      if (zi.mnemonic == ZYDIS_MNEMONIC_MOV && zi.operand_count_visible == 2 &&
          ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].size == 64 &&
          ops[1].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[1].mem.base == ZYDIS_REGISTER_RIP)
        {
          ZyanU64 absolute;
          const guint8 *pointer;

          if (ZYAN_SUCCESS (ZydisCalcAbsoluteAddress (&zi, &ops[1], a, &absolute)) &&
              (pointer = program_bytes (program, absolute, 8)) != NULL)
            {
              memcpy (&loaded, pointer, 8);
              loaded_register = ops[0].reg.value;
            }
        }
    }
  g_array_unref (mine.stack);
  return g_string_free (mine.out, FALSE);
}

/* The listing's lines as "INDEX DEPTH WORD START", names turned into the
 * start of a symbol of that name (the one at @mine's start when several
 * share it); "[unmatched]" as 0. */
static char *
listing_as_mine (const Program *program, const char *listing, const char *mine)
{
  GString *out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);
  g_auto(GStrv) my_lines = g_strsplit (mine, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *p = lines[i];
      guint64 index = g_ascii_strtoull (p, (char **) &p, 10);
      guint spaces = 0;
      g_autofree char *word = NULL, *name = NULL;
      const char *end;
      guint64 start = 0, my_start = 0;
      GArray *starts;

      g_assert_true (p[0] == ' ' && p[1] == ' ');
      p += 2;
      while (p[spaces] == ' ')
        spaces++;
      p += spaces;
      end = strchr (p, ' ');
      word = g_strndup (p, end - p);
      while (*end == ' ')
        end++;
      p = end;
      end = strstr (p, "  ");
      name = end != NULL ? g_strndup (p, end - p) : g_strdup (p);

      if (my_lines[i] != NULL)
        {
          const char *last = strrchr (my_lines[i], ' ');

          if (last != NULL)
            my_start = g_ascii_strtoull (last + 1, NULL, 16);
        }
      if (g_str_has_prefix (name, "0x"))
        start = g_ascii_strtoull (name, NULL, 16);
      else if ((starts = g_hash_table_lookup (program->starts, name)) != NULL)
        {
          start = g_array_index (starts, guint64, 0);
          for (guint k = 0; k < starts->len; k++)
            if (g_array_index (starts, guint64, k) == my_start)
              start = my_start;
        }
      g_string_append_printf (out, "%" G_GUINT64_FORMAT " %u %s %" G_GINT64_MODIFIER "x\n",
                              index, spaces / 2, word, start);
    }
  return g_string_free (out, FALSE);
}

static guint64 *
read_ips (const Recording *rec, gsize *n)
{
  g_autofree char *path = dir_file (rec, "ips");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 *ips;
  gsize count = 0;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  ips = g_new (guint64, g_strv_length (lines));
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      ips[count++] = g_ascii_strtoull (lines[i], NULL, 16);
  *n = count;
  return ips;
}

static void
assert_same_lines (const char *expected, const char *actual)
{
  g_auto(GStrv) a = g_strsplit (expected, "\n", -1);
  g_auto(GStrv) b = g_strsplit (actual, "\n", -1);

  for (guint i = 0; a[i] != NULL || b[i] != NULL; i++)
    if (a[i] == NULL || b[i] == NULL || strcmp (a[i], b[i]) != 0)
      {
        for (guint k = i > 8 ? i - 8 : 0; k < i; k++)
          g_test_message ("  before: %s", a[k]);
        g_test_message ("line %u: expected '%s', got '%s'", i + 1, a[i] ? a[i] : "(end)",
                        b[i] ? b[i] : "(end)");
        g_assert_cmpstr (a[i], ==, b[i]);
      }
}

/* ---- the tests ---- */

/* Decodes @rec with both decoders; each listing must equal the
 * reconstruction from DIR/ips. Returns the two analyses. */
static void
assert_independent (const Recording *rec, IptCalls **calls, char **listings)
{
  Program program = { 0 };
  g_autofree guint64 *ips = NULL;
  g_autofree char *mine = NULL;
  gsize n;
  IptDecoderKind kinds[] = { IPT_DECODER_KIND_INSN, IPT_DECODER_KIND_BLOCK };

  program_load (&program, rec);
  ips = read_ips (rec, &n);
  g_assert_cmpuint (n, >, 10000);
  mine = reconstruct (&program, ips, n);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *theirs = NULL;

      calls[k] = decode_recording (rec, kinds[k], 0, 0);
      listings[k] = write_to_string (calls[k], ipt_calls_write_listing);
      theirs = listing_as_mine (&program, listings[k], mine);
      g_assert_cmpuint (ipt_calls_get_n_insns (calls[k]), ==, n);
      assert_same_lines (mine, theirs);
    }
  program_clear (&program);
}

static void
test_independent (void)
{
  IptCalls *calls[2];
  char *listings[2];

  assert_independent (&recording, calls, listings);
  for (guint k = 0; k < 2; k++)
    {
      /* What flow.c does: fib's recursion, qsort calling compare, a longjmp
       * out of dive's recursion, four signals (raise, two faults, int3). */
      g_assert_cmpuint (ipt_calls_get_n_async (calls[k]), ==, 4);
      g_assert_cmpuint (ipt_calls_get_n_gaps (calls[k]), ==, 0);
      g_assert_cmpuint (ipt_calls_get_n_unmatched_returns (calls[k]), ==, 0);
      g_assert_cmpuint (ipt_calls_get_n_unwound (calls[k]), >=, 6);
      g_assert_cmpuint (ipt_calls_get_n_tail_calls (calls[k]), >, 0);
      g_assert_nonnull (strstr (listings[k], "async  on_usr1"));
      g_assert_nonnull (strstr (listings[k], "unwind dive"));
      g_assert_nonnull (strstr (listings[k], "call   compare"));
      g_object_unref (calls[k]);
      g_free (listings[k]);
    }
}

/* calls.c: a tail call by a jump to a function's start replaces the
 * frame; a return to an address no call pushed is counted and changes
 * nothing. */
static void
test_tail_and_unmatched (void)
{
  Recording small = { 0 };
  IptCalls *calls[2];
  char *listings[2];

  record_program (&small, "IPT_RECORD_PROGRAM_CALLS_STATIC");
  assert_independent (&small, calls, listings);
  for (guint k = 0; k < 2; k++)
    {
      g_assert_cmpuint (ipt_calls_get_n_unmatched_returns (calls[k]), ==, 1);
      g_assert_nonnull (strstr (listings[k], "return [unmatched]  from pushret+"));
      g_assert_cmpuint (ipt_calls_get_n_tail_calls (calls[k]), >=, 3);
      g_assert_nonnull (strstr (listings[k], "tailed jumper"));
      g_assert_nonnull (strstr (listings[k], "tail   callee  from jumper\n"));
      g_object_unref (calls[k]);
      g_free (listings[k]);
    }
  recording_clear (&small);
}

/* A node's path in the tree, from its root. */
static IptCallNode *
find_path (GListModel *model, const char *const *path)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(IptCallNode) node = g_list_model_get_item (model, i);

      if (strcmp (ipt_call_node_get_symbol (node), path[0]) != 0)
        continue;
      if (path[1] == NULL)
        return node;
      return find_path (ipt_call_node_get_children (node), path + 1);
    }
  return NULL;
}

static void
test_tree (void)
{
  g_autoptr(IptCalls) calls = decode (IPT_DECODER_KIND_BLOCK, 0, 0);
  g_autofree char *folded = write_to_string (calls, ipt_calls_write_folded);
  GListModel *roots = ipt_calls_get_roots (calls);
  IptCallNode *main_node, *fib;
  const char *const main_path[] = { "_start", "__libc_start_main", "__libc_start_call_main",
                                    "main", NULL };
  guint64 sum = 0;
  g_auto(GStrv) lines = g_strsplit (folded, "\n", -1);

  g_assert_cmpuint (g_list_model_get_n_items (roots), ==, 1);
  main_node = find_path (roots, main_path);
  g_assert_nonnull (main_node);
  {
    GListModel *children = ipt_call_node_get_children (main_node);
    const char *const fib_path[] = { "fib", NULL };

    fib = find_path (children, fib_path);
    g_assert_nonnull (fib);
    /* fib (7) makes 40 calls below the first: fib(n) calls 2 fib(n-1)... */
    g_assert_cmpuint (ipt_call_node_get_calls (fib), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (ipt_call_node_get_children (fib)), ==, 1);
    g_assert_cmpuint (ipt_call_node_get_total_insns (fib), >, ipt_call_node_get_self_insns (fib));
  }
  g_assert_cmpuint (ipt_call_node_get_total_insns (main_node), <, ipt_calls_get_n_insns (calls));

  /* Folded: every instruction once, "a;b;c N" */
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *space = strrchr (lines[i], ' ');

      g_assert_nonnull (space);
      g_assert_true (g_str_has_prefix (lines[i], "_start"));
      sum += g_ascii_strtoull (space + 1, NULL, 10);
    }
  g_assert_cmpuint (sum, ==, ipt_calls_get_n_insns (calls));
  g_assert_nonnull (strstr (folded, "\n_start;__libc_start_main;__libc_start_call_main;main;fib;fib;fib "));
}

static void
test_decoders_agree (void)
{
  g_autoptr(IptCalls) insn = decode (IPT_DECODER_KIND_INSN, 0, 0);
  g_autoptr(IptCalls) block = decode (IPT_DECODER_KIND_BLOCK, 0, 0);
  g_auto(Outputs) a = { 0 };
  g_auto(Outputs) b = { 0 };

  outputs_get (&a, insn);
  outputs_get (&b, block);
  assert_same_outputs (&a, &b);
}

/* The instructions a decode of [from, to) sees. */
static guint64
count_insns (IptDecoderKind kind, guint64 from, guint64 to)
{
  g_autoptr(IptStatistics) stats = ipt_statistics_new ();
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (recording.image, kind);
  g_autoptr(GError) error = NULL;

  ipt_decoder_decode_file (decoder, recording.trace_path, from, to, IPT_SINK (stats), NULL, &error);
  g_assert_no_error (error);
  return ipt_statistics_get_n_insns (stats);
}

/* Decoded in two pieces split at a PSB and merged, or in three, the trace
 * gives what the whole gives. A split where libipt's pieces do not add up
 * to the whole's instructions (a PSB while tracing is off: the head stops
 * at its last packet) cannot, and is skipped. */
static void
test_merge (void)
{
  IptDecoderKind kinds[] = { IPT_DECODER_KIND_INSN, IPT_DECODER_KIND_BLOCK };
  guint tested = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IptCalls) whole = decode (kinds[k], 0, 0);
      g_auto(Outputs) expected = { 0 };
      guint64 n_whole = ipt_calls_get_n_insns (whole);
      GArray *psbs = recording.psbs;

      outputs_get (&expected, whole);
      for (guint i = 1; i < psbs->len; i++)
        {
          guint64 split = g_array_index (psbs, guint64, i);
          g_autoptr(IptCalls) head = NULL;
          g_autoptr(IptCalls) tail = NULL;
          g_auto(Outputs) merged = { 0 };

          if (count_insns (kinds[k], 0, split) + count_insns (kinds[k], split, 0) != n_whole)
            {
              g_test_message ("split at 0x%" G_GINT64_MODIFIER "x: the pieces do not add up",
                              split);
              continue;
            }
          head = decode (kinds[k], 0, split);
          tail = decode (kinds[k], split, 0);
          ipt_calls_merge (head, tail);
          outputs_get (&merged, head);
          assert_same_outputs (&expected, &merged);
          g_assert_cmpuint (ipt_calls_get_n_calls (head), ==, ipt_calls_get_n_calls (whole));
          tested++;

          /* and a third piece, merged into the first two */
          if (i + 3 < psbs->len)
            {
              guint64 second = g_array_index (psbs, guint64, i + 3);
              g_autoptr(IptCalls) first = NULL;
              g_autoptr(IptCalls) middle = NULL;
              g_autoptr(IptCalls) last = NULL;
              g_auto(Outputs) three = { 0 };

              if (count_insns (kinds[k], 0, split) + count_insns (kinds[k], split, second) +
                  count_insns (kinds[k], second, 0) != n_whole)
                continue;
              first = decode (kinds[k], 0, split);
              middle = decode (kinds[k], split, second);
              last = decode (kinds[k], second, 0);
              ipt_calls_merge (middle, last);
              ipt_calls_merge (first, middle);
              outputs_get (&three, first);
              assert_same_outputs (&expected, &three);
            }
        }
    }
  g_assert_cmpuint (tested, >=, 6);
}

/* The word and the name of a listing line, and its depth. */
static guint
parse_line (const char *line, char **word, char **name)
{
  const char *p = line, *end;
  guint spaces = 0;

  g_ascii_strtoull (p, (char **) &p, 10);
  p += 2;
  while (p[spaces] == ' ')
    spaces++;
  p += spaces;
  end = strchr (p, ' ');
  *word = g_strndup (p, end - p);
  while (*end == ' ')
    end++;
  p = end;
  end = strstr (p, "  ");
  *name = end != NULL ? g_strndup (p, end - p) : g_strdup (p);
  return spaces / 2;
}

static IptCallNode *
find_root (GListModel *roots, const char *symbol)
{
  for (guint i = 0; i < g_list_model_get_n_items (roots); i++)
    {
      g_autoptr(IptCallNode) node = g_list_model_get_item (roots, i);

      if (strcmp (ipt_call_node_get_symbol (node), symbol) == 0)
        return node;
    }
  return NULL;
}

/* Whether a node named @parent anywhere in the tree has a child @child. */
static gboolean
has_edge (GListModel *model, const char *parent, const char *child)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(IptCallNode) node = g_list_model_get_item (model, i);
      GListModel *children = ipt_call_node_get_children (node);

      if ((strcmp (ipt_call_node_get_symbol (node), parent) == 0 &&
           find_root (children, child) != NULL) ||
          has_edge (children, parent, child))
        return TRUE;
    }
  return FALSE;
}

/* A decode that starts mid-trace does not know the stack: a return above
 * its first frame ends that root frame, and what it returned to becomes
 * the root, with the frame it returned from below it; no gap. */
static void
test_upward (void)
{
  GArray *psbs = recording.psbs;
  guint upward = 0;

  for (guint i = 1; i < psbs->len; i++)
    {
      g_autoptr(IptCalls) tail = decode (IPT_DECODER_KIND_BLOCK, g_array_index (psbs, guint64, i), 0);
      g_autofree char *listing = write_to_string (tail, ipt_calls_write_listing);
      g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);
      GListModel *roots = ipt_calls_get_roots (tail);

      g_assert_cmpuint (ipt_calls_get_n_gaps (tail), ==, 0);
      for (guint k = 1; lines[k] != NULL && lines[k][0] != '\0'; k++)
        {
          g_autofree char *word = NULL, *name = NULL, *last_word = NULL, *last_name = NULL;
          guint depth = parse_line (lines[k], &word, &name);
          guint last_depth;

          if (strcmp (word, "caller") != 0)
            continue;
          upward++;
          last_depth = parse_line (lines[k - 1], &last_word, &last_name);
          g_assert_cmpuint (depth, ==, 0);
          g_assert_cmpuint (last_depth, ==, 0);
          g_assert_cmpstr (last_word, ==, "return");
          /* (the caller may have returned above itself since) */
          g_assert_true (has_edge (roots, name, last_name));
        }
    }
  g_assert_cmpuint (upward, >, 0);
}

/* Garbage in the middle of the trace: a decode error, then the decoder
 * syncs at the next PSB; every open frame ends there, marked, and the flow
 * starts again in a new root. */
static void
test_gap (void)
{
  g_autoptr(IptDecoder) decoder = ipt_decoder_new (recording.image, IPT_DECODER_KIND_INSN);
  g_autoptr(IptCalls) calls = ipt_calls_new (recording.symbols);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) broken = NULL;
  g_autofree char *listing = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (recording.trace, &size);
  guint64 at = g_array_index (recording.psbs, guint64, recording.psbs->len / 2) + 40;
  guint8 *copy = g_memdup2 (data, size);
  const char *gap, *line;

  memset (copy + at, 0xd9, 24);   /* no packet starts with 0xd9: a decode error */
  broken = g_bytes_new_take (copy, size);
  ipt_decoder_decode_bytes (decoder, broken, IPT_SINK (calls), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ipt_calls_get_n_gaps (calls), >=, 1);

  listing = write_to_string (calls, ipt_calls_write_listing);
  gap = strstr (listing, "gap    ");
  g_assert_nonnull (gap);
  /* every frame ended by the gap: down to depth 0, then a new start */
  line = strstr (gap, "  gap    _start");
  g_assert_nonnull (line);
  line = strchr (line, '\n') + 1;
  g_assert_nonnull (strstr (line, "  start  "));
  g_assert_true (strstr (line, "  start  ") < strchr (line, '\n'));
  /* the trace's root, and those after the gap */
  g_assert_cmpuint (g_list_model_get_n_items (ipt_calls_get_roots (calls)), >=, 2);
  {
    g_autoptr(IptCallNode) first = g_list_model_get_item (ipt_calls_get_roots (calls), 0);

    g_assert_cmpstr (ipt_call_node_get_symbol (first), ==, "_start");
  }
}

/* The Chrome trace parses, and its begin and end events nest. */
static void
test_chrome (void)
{
  g_autoptr(IptCalls) calls = decode (IPT_DECODER_KIND_BLOCK, 0, 0);
  g_autofree char *chrome = write_to_string (calls, ipt_calls_write_chrome_trace);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  JsonObject *object;
  JsonArray *events;
  gdouble last_ts = -1;
  guint begins = 0;

  json_parser_load_from_data (parser, chrome, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  events = json_object_get_array_member (object, "traceEvents");
  g_assert_cmpuint (json_array_get_length (events), >, 100);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *phase = json_object_get_string_member (event, "ph");
      const char *name = json_object_get_string_member (event, "name");
      gdouble ts = json_object_get_double_member (event, "ts");

      g_assert_cmpfloat (ts, >=, last_ts);
      last_ts = ts;
      if (strcmp (phase, "B") == 0)
        {
          g_ptr_array_add (stack, (gpointer) name);
          begins++;
        }
      else
        {
          g_assert_cmpstr (phase, ==, "E");
          g_assert_cmpuint (stack->len, >, 0);
          g_assert_cmpstr (g_ptr_array_index (stack, stack->len - 1), ==, name);
          g_ptr_array_set_size (stack, stack->len - 1);
        }
    }
  g_assert_cmpuint (stack->len, ==, 0);
  g_assert_cmpuint (begins, >, ipt_calls_get_n_calls (calls));
}

/* A stream that fails makes each writer fail with its error. */
static void
test_write_error (void)
{
  g_autoptr(IptCalls) calls = decode (IPT_DECODER_KIND_BLOCK, 0, 0);
  WriteFunc writers[] = { ipt_calls_write_listing, ipt_calls_write_folded,
                          ipt_calls_write_chrome_trace };

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) error = NULL;

      g_assert_true (g_output_stream_close (stream, NULL, NULL));
      g_assert_false (writers[i] (calls, stream, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  record_program (&recording, "IPT_RECORD_PROGRAM_FLOW_STATIC");

  g_test_add_func ("/calls/flow/independent", test_independent);
  g_test_add_func ("/calls/small/tail-and-unmatched", test_tail_and_unmatched);
  g_test_add_func ("/calls/flow/tree", test_tree);
  g_test_add_func ("/calls/flow/decoders-agree", test_decoders_agree);
  g_test_add_func ("/calls/flow/merge-at-psbs", test_merge);
  g_test_add_func ("/calls/flow/upward", test_upward);
  g_test_add_func ("/calls/flow/gap", test_gap);
  g_test_add_func ("/calls/flow/chrome-trace-nests", test_chrome);
  g_test_add_func ("/calls/flow/write-error", test_write_error);

  status = g_test_run ();
  recording_clear (&recording);
  return status;
}
