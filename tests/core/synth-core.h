/* synth-core.h: writes small synthetic ELF64 cores (PT_LOADs + an NT_FILE note) for the
 * coredump tests and benchmark; fields can be damaged afterwards at the returned offsets. */
#pragma once

#include <string.h>
#include <glib.h>

typedef struct {
  guint64 vaddr;
  guint64 memsz;
  guint64 filesz;     /* bytes dumped, taken from @bytes (or a fill pattern when NULL) */
  const guint8 *bytes;
  guint32 flags;      /* PF_X = 1, PF_W = 2, PF_R = 4 */
} SynthLoad;

typedef struct {
  guint64 start;
  guint64 end;
  guint64 pgofs;      /* file offset in units of the note's page size */
  const char *path;
} SynthFile;

typedef struct {
  GByteArray *bytes;
  gsize nt_file_at;   /* offset of the NT_FILE note header */
  gsize desc_at;      /* offset of its description (count, page size, entries, names) */
  gsize desc_size;
  gsize phdrs_at;
} SynthCore;

static inline void
synth_put (GByteArray *b, gsize at, guint64 v, guint n)
{
  for (guint i = 0; i < n; i++)
    b->data[at + i] = (guint8) (v >> (8 * i));
}

static inline void
synth_append_zeros (GByteArray *b, gsize n)
{
  gsize at = b->len;

  g_byte_array_set_size (b, b->len + n);
  memset (b->data + at, 0, n);
}

/* An ELF64 little-endian x86-64 core: PT_NOTE (NT_FILE) first, then one PT_LOAD per @loads. */
static inline SynthCore
synth_core (const SynthLoad *loads, guint n_loads, const SynthFile *files, guint n_files,
            guint64 page_size)
{
  SynthCore c = { g_byte_array_new (), 0, 0, 0, 64 };
  GByteArray *b = c.bytes;
  guint n_ph = 1 + n_loads;
  gsize note_at, data_at;

  synth_append_zeros (b, 64 + (gsize) n_ph * 56);
  memcpy (b->data, "\177ELF\2\1\1", 7);
  synth_put (b, 16, 4, 2);          /* ET_CORE */
  synth_put (b, 18, 62, 2);         /* EM_X86_64 */
  synth_put (b, 20, 1, 4);
  synth_put (b, 32, 64, 8);         /* e_phoff */
  synth_put (b, 52, 64, 2);
  synth_put (b, 54, 56, 2);
  synth_put (b, 56, n_ph, 2);

  /* The NT_FILE note. */
  note_at = b->len;
  c.nt_file_at = note_at;
  synth_append_zeros (b, 12 + 8);
  synth_put (b, note_at, 5, 4);
  synth_put (b, note_at + 8, 0x46494c45, 4);
  memcpy (b->data + note_at + 12, "CORE", 5);
  c.desc_at = b->len;
  synth_append_zeros (b, 16 + (gsize) n_files * 24);
  synth_put (b, c.desc_at, n_files, 8);
  synth_put (b, c.desc_at + 8, page_size, 8);
  for (guint i = 0; i < n_files; i++)
    {
      synth_put (b, c.desc_at + 16 + i * 24, files[i].start, 8);
      synth_put (b, c.desc_at + 16 + i * 24 + 8, files[i].end, 8);
      synth_put (b, c.desc_at + 16 + i * 24 + 16, files[i].pgofs, 8);
    }
  for (guint i = 0; i < n_files; i++)
    g_byte_array_append (b, (const guint8 *) files[i].path, strlen (files[i].path) + 1);
  c.desc_size = b->len - c.desc_at;
  synth_put (b, note_at + 4, c.desc_size, 4);
  synth_append_zeros (b, (4 - b->len % 4) % 4);

  /* PT_NOTE */
  synth_put (b, 64, 4, 4);
  synth_put (b, 64 + 8, note_at, 8);
  synth_put (b, 64 + 32, b->len - note_at, 8);

  data_at = b->len;
  for (guint i = 0; i < n_loads; i++)
    {
      gsize ph = 64 + (gsize) (1 + i) * 56;
      gsize at = b->len;

      if (loads[i].bytes != NULL)
        g_byte_array_append (b, loads[i].bytes, loads[i].filesz);
      else
        {
          synth_append_zeros (b, loads[i].filesz);
          for (gsize j = 0; j < loads[i].filesz; j++)
            b->data[at + j] = (guint8) (0xa5 ^ j ^ i);
        }
      synth_put (b, ph, 1, 4);
      synth_put (b, ph + 4, loads[i].flags, 4);
      synth_put (b, ph + 8, loads[i].filesz ? at : data_at, 8);
      synth_put (b, ph + 16, loads[i].vaddr, 8);
      synth_put (b, ph + 32, loads[i].filesz, 8);
      synth_put (b, ph + 40, loads[i].memsz, 8);
      synth_put (b, ph + 48, 4096, 8);
    }
  return c;
}
