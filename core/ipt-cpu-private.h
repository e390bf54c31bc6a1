/* ipt-cpu-private.h: cpu specifications ("none", "auto", "F/M[/S]") for libipt's errata. */
#pragma once

#include <intel-pt.h>
#include <glib.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
gboolean ipt_cpu_parse (const char *spec, struct pt_cpu *cpu, GError **error);
G_GNUC_INTERNAL
void ipt_cpu_read_host (struct pt_cpu *cpu);
G_GNUC_INTERNAL
char *ipt_cpu_to_string (const struct pt_cpu *cpu);

G_END_DECLS
