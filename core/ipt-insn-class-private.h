/* ipt-insn-class-private.h: what kind of branch an instruction is, from
 * its bytes, as libipt classifies it. For the analyses, which get
 * instructions whose class libipt did not say: the block decoder tells
 * the class of a block's last instruction only, and may leave even that
 * one as ptic_error (intel-pt.h, struct pt_block). Not ABI. */
#pragma once

#include <intel-pt.h>
#include <glib.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
enum pt_insn_class ipt_insn_class_of (const guint8 *raw, gsize size, enum pt_exec_mode mode);
G_GNUC_INTERNAL
gboolean ipt_insn_is_direct_branch (const guint8 *raw, gsize size, enum pt_exec_mode mode);

G_END_DECLS
