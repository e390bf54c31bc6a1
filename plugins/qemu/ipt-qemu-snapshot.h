/* ipt-qemu-snapshot.h: a QEMU snapshot opened: its format (found from the
 * content), its RAM (ipt-qemu-ram.h) and its vCPUs' state.
 *
 * The formats and their parsers, each in a file of its own:
 *   - a dump-guest-memory ELF (`dump-guest-memory FILE`, `-f elf`):
 *     ipt-qemu-elfdump.c;
 *   - a migration stream (`migrate "exec:cat > FILE"` after `stop`),
 *     big-endian "QEVM" version 3: ipt-qemu-migration.c;
 *   - an internal snapshot (`savevm NAME`) of a qcow2 image: the migration
 *     stream in the snapshot's vmstate area, found by ipt-qcow2.c.
 *
 * Every parser rejects bad input with a GError in IPT_ERROR that names the
 * file, the offset (in the file, or in the vmstate stream for qcow2) and the
 * problem.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "ipt-qemu-ram.h"
#include "ipt-qemu-stream.h"

G_BEGIN_DECLS

typedef enum {
  IPT_QEMU_FORMAT_ELF,        /* dump-guest-memory -f elf */
  IPT_QEMU_FORMAT_MIGRATION,  /* a migration stream file */
  IPT_QEMU_FORMAT_QCOW2,      /* savevm in a qcow2 image */
} IptQemuFormat;

/* The state of one vCPU that address translation needs. */
typedef struct {
  guint index;           /* the vCPU's number (the section's instance id, or note order) */
  guint64 rip;
  guint64 rsp;
  guint64 cr0;
  guint64 cr3;
  guint64 cr4;
  guint64 efer;
  gboolean has_efer;     /* FALSE for an ELF dump (its notes have no EFER) */
  gboolean long_mode;    /* EFER.LMA, or CS.L where EFER is not known */
} IptQemuCpu;

typedef struct {
  IptQemuFormat format;
  char *path;
  char *tag;             /* qcow2: the internal snapshot read; else NULL */
  char *machine;         /* e.g. "pc-i440fx-7.2" (migration CONFIGURATION); NULL if unknown */
  IptQemuRam *ram;
  GArray *cpus;          /* of IptQemuCpu, in vCPU order; may be empty */
} IptQemuSnapshot;

/* Opens @path, detecting the format: ELF magic, "QEVM", or qcow2's "QFI\xfb".
 * @tag picks the qcow2 internal snapshot by name or id (NULL: the newest);
 * it is an error for other formats. @ram_below_4g is how much of a
 * migration stream's "pc.ram" lies below 4 GiB (0: QEMU's rule for the
 * stream's machine type, i440fx or q35). */
IptQemuSnapshot *ipt_qemu_snapshot_open (const char *path, const char *tag,
                                         guint64 ram_below_4g, GError **error);
void ipt_qemu_snapshot_free (IptQemuSnapshot *self);
const char *ipt_qemu_format_to_string (IptQemuFormat format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptQemuSnapshot, ipt_qemu_snapshot_free)

/* --- the format parsers (called by ipt_qemu_snapshot_open, and by the
 * fuzz harnesses directly) --- */

/* A dump-guest-memory ELF: PT_LOADs at their p_paddr (one RAM block each,
 * named "PT_LOAD N"), and the vCPUs from QEMU's "QEMU" notes (QEMUCPUState:
 * CR0/CR3/CR4, RIP, CS flags) and NT_PRSTATUS (order). Trusts neither
 * e_ehsize nor the section headers. */
gboolean ipt_qemu_elfdump_parse (IptQemuStream *stream, IptQemuRam *ram, GArray *cpus,
                                 GError **error);

/* A migration stream ("QEVM", version 3) at offset 0 of @stream: the "ram"
 * section's blocks (added to @ram, pages indexed by stream offset, zero
 * pages recorded as zero), the "cpu" sections' state (into @cpus), and the
 * machine type from the CONFIGURATION section (*machine, may be NULL).
 * Does not place blocks at physical addresses: see _place_pc(). */
gboolean ipt_qemu_migration_parse (IptQemuStream *stream, IptQemuRam *ram, GArray *cpus,
                                   char **machine, GError **error);

/* Places a PC's RAM blocks at guest-physical addresses, as QEMU's pc
 * machines do: "pc.ram" from 0 up to @ram_below_4g (0: the rule of
 * @machine, i440fx or q35) and the rest from 4 GiB; "pc.bios" ending at
 * 4 GiB. Other blocks (vga.vram, ROMs) stay unmapped. An error when there
 * is no "pc.ram". */
gboolean ipt_qemu_migration_place_pc (IptQemuRam *ram, const char *machine,
                                      guint64 ram_below_4g, GError **error);

G_END_DECLS
