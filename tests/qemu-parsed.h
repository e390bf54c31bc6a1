/* qemu-parsed.h: a migration stream parsed into fresh RAM and vCPUs, for
 * the tests of the qemu plugin's format parsers. */
#pragma once

#include "../plugins/qemu/ipt-qemu-snapshot.h"

typedef struct {
  IptQemuRam *ram;
  GArray *cpus;          /* of IptQemuCpu */
  char *machine;
} Parsed;

/* ipt_qemu_migration_parse() of @stream into @p (cleared with
 * parsed_clear() whatever it returns). */
gboolean parse (IptQemuStream *stream, Parsed *p, GError **error);
void parsed_clear (Parsed *p);
