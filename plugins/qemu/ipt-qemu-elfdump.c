/* ipt-qemu-elfdump.c: a dump-guest-memory ELF (`dump-guest-memory FILE`,
 * `-f elf`) as guest-physical RAM and vCPU state.
 *
 * What QEMU writes (dump/dump.c, target/i386/arch_dump.c; facts checked
 * against QEMU 7.2's files): an ET_CORE whose e_machine is EM_X86_64 when
 * the first vCPU was in long mode and EM_386 otherwise (ELF64 even then
 * when RAM reaches past 4 GiB), e_ehsize 8 (sic), section headers only to
 * hold PN_XNUM counts, one PT_LOAD per guest-physical RAM range with the
 * range in p_paddr — p_vaddr is 0 for every one of them unless the dump
 * was made with paging (-p), so p_vaddr says nothing — and one PT_NOTE
 * holding an NT_PRSTATUS per vCPU and then one "QEMU" note (type 0) per
 * vCPU: a QEMUCPUState, version 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ipt-qemu-snapshot.h"

#include <elf.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-elf-reader.h"

/* QEMUCPUState: u32 version, u32 size, rax..r15 (16), rip, rflags, then the
 * segments cs ds es fs gs ss ldt tr gdt idt of 24 bytes each (u32 selector,
 * limit, flags, pad; u64 base), cr[5], kernel_gs_base. */
#define QEMU_NOTE_RSP        (8 + 4 * 8)
#define QEMU_NOTE_RIP        (8 + 16 * 8)
#define QEMU_NOTE_CS_FLAGS   (8 + 18 * 8 + 8)
#define QEMU_NOTE_CR(n)      (8 + 18 * 8 + 10 * 24 + (n) * 8)
#define QEMU_NOTE_MIN_SIZE   QEMU_NOTE_CR (5)
/* QEMU's segment flags keep the descriptor's high word: L is bit 21. */
#define QEMU_DESC_L          (1u << 21)

static gboolean
corrupt (GError **error, const char *name, guint64 offset, const char *what)
{
  g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT, "%s: offset 0x%" G_GINT64_MODIFIER "x: %s",
               name, offset, what);
  return FALSE;
}

static gboolean
read_cpu_note (const IptElfReader *r, const IptElfNote *note, const char *name, guint index,
               gboolean lma, GArray *cpus, GError **error)
{
  guint64 d = note->desc_offset;
  IptQemuCpu cpu = { 0 };
  guint32 version, size;

  if (note->descsz < 8)
    return corrupt (error, name, note->offset, "QEMU CPU note too short for its header");
  version = ipt_elf_reader_get (r, d, 4);
  size = ipt_elf_reader_get (r, d + 4, 4);
  if (version != 1)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: QEMU CPU note version %u (only "
                   "version 1 is known)", name, note->offset, version);
      return FALSE;
    }
  if (size < QEMU_NOTE_MIN_SIZE || size > note->descsz)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: QEMU CPU note says it has %u bytes "
                   "(the note holds %" G_GUINT64_FORMAT ", CR0-CR4 need %u)", name,
                   note->offset, size, note->descsz, (guint) QEMU_NOTE_MIN_SIZE);
      return FALSE;
    }
  cpu.index = index;
  cpu.rsp = ipt_elf_reader_get (r, d + QEMU_NOTE_RSP, 8);
  cpu.rip = ipt_elf_reader_get (r, d + QEMU_NOTE_RIP, 8);
  cpu.cr0 = ipt_elf_reader_get (r, d + QEMU_NOTE_CR (0), 8);
  cpu.cr3 = ipt_elf_reader_get (r, d + QEMU_NOTE_CR (3), 8);
  cpu.cr4 = ipt_elf_reader_get (r, d + QEMU_NOTE_CR (4), 8);
  /* CS.L is clear in compatibility mode (32-bit code under a 64-bit
   * kernel); QEMU's EM_X86_64 says that the first vCPU had EFER.LMA */
  cpu.long_mode = lma || (ipt_elf_reader_get (r, d + QEMU_NOTE_CS_FLAGS, 4) & QEMU_DESC_L) != 0;
  g_array_append_val (cpus, cpu);
  return TRUE;
}

static gboolean
read_notes (const IptElfReader *r, const IptElfPhdr *ph, const char *name, gboolean lma,
            GArray *cpus, GError **error)
{
  IptElfNotes notes;
  IptElfNote note;
  int status;

  if (!ipt_elf_fits (ph->offset, ph->filesz, r->size))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: program header %u at offset 0x%" G_GINT64_MODIFIER "x: PT_NOTE bytes "
                   "at 0x%" G_GINT64_MODIFIER "x, size 0x%" G_GINT64_MODIFIER "x, extend past "
                   "the end of the file (size 0x%" G_GSIZE_MODIFIER "x)", name, ph->index,
                   ph->header_offset, ph->offset, ph->filesz, r->size);
      return FALSE;
    }
  ipt_elf_notes_init (&notes, ph->offset, ph->filesz, ph->align);
  while ((status = ipt_elf_notes_next (r, &notes, &note)) == 1)
    {
      if (note.type == 0 && ipt_elf_note_has_name (r, &note, "QEMU") &&
          !read_cpu_note (r, &note, name, cpus->len, lma, cpus, error))
        return FALSE;
    }
  if (status < 0)
    return corrupt (error, name, note.offset, "note runs past the end of its PT_NOTE segment");
  return TRUE;
}

static gboolean
add_load (IptQemuRam *ram, const IptElfReader *r, const IptElfPhdr *ph, const char *name,
          GError **error)
{
  g_autofree char *block_name = NULL;
  g_autoptr (GError) local = NULL;
  IptQemuRamBlock *block;

  if (ph->filesz > ph->memsz)
    return corrupt (error, name, ph->header_offset, "PT_LOAD p_filesz is larger than p_memsz");
  if (ph->filesz > 0 && !ipt_elf_fits (ph->offset, ph->filesz, r->size))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_TRUNCATED,
                   "%s: program header %u at offset 0x%" G_GINT64_MODIFIER "x: PT_LOAD bytes at "
                   "0x%" G_GINT64_MODIFIER "x, size 0x%" G_GINT64_MODIFIER "x, extend past the "
                   "end of the file (size 0x%" G_GSIZE_MODIFIER "x): the dump is cut short",
                   name, ph->index, ph->header_offset, ph->offset, ph->filesz, r->size);
      return FALSE;
    }
  block_name = g_strdup_printf ("PT_LOAD %u", ph->index);
  if ((block = ipt_qemu_ram_add_stored_block (ram, block_name, ph->memsz, ph->offset,
                                              ph->filesz, &local)) == NULL ||
      !ipt_qemu_ram_map (ram, block, 0, ph->paddr, ph->memsz, &local))
    {
      g_prefix_error (&local, "%s: program header %u at offset 0x%" G_GINT64_MODIFIER
                      "x: p_paddr 0x%" G_GINT64_MODIFIER "x, p_memsz 0x%" G_GINT64_MODIFIER
                      "x: ", name, ph->index, ph->header_offset, ph->paddr, ph->memsz);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
ipt_qemu_elfdump_parse (IptQemuStream *stream, IptQemuRam *ram, GArray *cpus, GError **error)
{
  const char *name = ipt_qemu_stream_get_name (stream);
  guint64 size = ipt_qemu_stream_get_size (stream);
  const guint8 *data = ipt_qemu_stream_peek (stream, 0, size);
  IptElfReader r;
  IptElfHeader header;
  guint n_loads = 0;

  if (data == NULL)
    return corrupt (error, name, 0, "an ELF dump must be a plain file");
  if (!ipt_elf_reader_open (&r, data, size, name, &header, error))
    return FALSE;
  if (header.type != ET_CORE)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s: offset 0x10: e_type is %u, not ET_CORE: not a dump-guest-memory file",
                   name, header.type);
      return FALSE;
    }
  if (header.machine != EM_X86_64 && header.machine != EM_386)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_NOT_SUPPORTED,
                   "%s: offset 0x12: e_machine is %u: only x86 guests (EM_X86_64, EM_386) "
                   "are supported", name, header.machine);
      return FALSE;
    }
  for (guint64 i = 0; i < header.phnum; i++)
    {
      IptElfPhdr ph;

      ipt_elf_reader_phdr (&r, &header, i, &ph);
      if (ph.type == PT_NOTE &&
          !read_notes (&r, &ph, name, header.machine == EM_X86_64, cpus, error))
        return FALSE;
      if (ph.type == PT_LOAD && ph.memsz > 0)
        {
          if (!add_load (ram, &r, &ph, name, error))
            return FALSE;
          n_loads++;
        }
    }
  if (n_loads == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_CORRUPT,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: the dump has no PT_LOAD: no guest RAM",
                   name, header.phoff);
      return FALSE;
    }
  return TRUE;
}
