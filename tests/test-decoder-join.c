/* test-decoder-join.c: where a segment's decode joins the decode before
 * it (core/ipt-decoder-join.c), on recorded calls built by hand: the
 * instruction decoder's must match exactly; the block decoder's match as
 * instruction streams, whatever libipt's block cache made of the blocks,
 * but never one loop iteration off, never with an event moved; so do the
 * instructions a sink takes from the block decoder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-decoder-private.h"

/* Appends a block of @ninsn instructions from @ip to @end_ip, delivered at
 * trace offset @offset. */
static void
add_block (GArray *items, guint64 ip, guint64 end_ip, guint16 ninsn, guint64 offset)
{
  IptDecodeItem item = { 0, };

  item.kind = IPT_DECODE_ITEM_BLOCK;
  item.has_offset = TRUE;
  item.offset = offset;
  item.u.block.ip = ip;
  item.u.block.end_ip = end_ip;
  item.u.block.ninsn = ninsn;
  item.u.block.mode = ptem_64bit;
  item.u.block.iclass = ptic_cond_jump;
  g_array_append_val (items, item);
}

static void
add_event (GArray *items, enum pt_event_type type, guint64 ip, guint64 offset)
{
  IptDecodeItem item = { 0, };

  item.kind = IPT_DECODE_ITEM_EVENT;
  item.has_offset = TRUE;
  item.offset = offset;
  item.u.event.type = type;
  item.u.event.variant.async_disabled.ip = ip;
  item.u.event.variant.async_disabled.at = ip;
  g_array_append_val (items, item);
}

static void
add_insn (GArray *items, guint64 ip, guint64 offset)
{
  IptDecodeItem item = { 0, };

  item.kind = IPT_DECODE_ITEM_INSN;
  item.has_offset = TRUE;
  item.offset = offset;
  item.u.insn.ip = ip;
  item.u.insn.size = 2;
  item.u.insn.mode = ptem_64bit;
  g_array_append_val (items, item);
}

/* An instruction walked from a block of the block decoder: all of a
 * block's instructions carry the offset at which libipt delivered it, and
 * only the last one a class (ptic_error before). */
static void
add_walked (GArray *items, guint64 ip, gboolean block_end, enum pt_insn_class iclass,
            guint64 offset)
{
  add_insn (items, ip, offset);
  g_array_index (items, IptDecodeItem, items->len - 1).walked = TRUE;
  g_array_index (items, IptDecodeItem, items->len - 1).block_end = block_end;
  g_array_index (items, IptDecodeItem, items->len - 1).u.insn.iclass = block_end ? iclass : ptic_error;
}

static GArray *
items_new (void)
{
  return g_array_new (FALSE, TRUE, sizeof (IptDecodeItem));
}

/* The tail's two first blocks were delivered by the decode before the
 * cut; from the third on, the head's blocks are the same blocks. */
static void
test_blocks_same_split (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  add_block (tail, 0x1000, 0x1010, 4, 0x100);
  add_block (tail, 0x2000, 0x2008, 3, 0x104);
  add_block (tail, 0x3000, 0x3020, 8, 0x108);
  add_event (tail, ptev_disabled, 0x3022, 0x10c);
  add_block (tail, 0x4000, 0x4004, 2, 0x110);
  add_block (head, 0x3000, 0x3020, 8, 0x108);
  add_event (head, ptev_disabled, 0x3022, 0x10c);
  add_block (head, 0x4000, 0x4004, 2, 0x110);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 2);
}

/* The head's decode cut one block of the tail in two (a colder block
 * cache), and the tail's a later one: still the same instructions. */
static void
test_blocks_other_split (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  add_block (tail, 0x1000, 0x1010, 4, 0x100);
  add_block (tail, 0x3000, 0x3020, 8, 0x108);
  add_block (tail, 0x4000, 0x4004, 2, 0x110);
  add_block (tail, 0x5000, 0x5010, 1, 0x114);
  add_event (tail, ptev_overflow, 0, 0x118);
  add_block (tail, 0x6000, 0x6010, 6, 0x11c);
  add_block (head, 0x3000, 0x3008, 3, 0x106);
  add_block (head, 0x3010, 0x3020, 5, 0x108);
  add_block (head, 0x4000, 0x5010, 3, 0x114);
  add_event (head, ptev_overflow, 0, 0x118);
  add_block (head, 0x6000, 0x6010, 6, 0x11c);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 1);
}

/* Each record stops at its own last block end before the same offset:
 * either may end with blocks the other has not reached. */
static void
test_blocks_ragged_end (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  add_block (tail, 0x3000, 0x3020, 8, 0x108);
  add_block (tail, 0x4000, 0x4004, 2, 0x110);
  add_block (tail, 0x5000, 0x5004, 2, 0x1f0);
  add_block (head, 0x3000, 0x3020, 8, 0x108);
  add_block (head, 0x4000, 0x4004, 2, 0x110);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 0);

  /* but not with an event the other never saw */
  add_event (tail, ptev_disabled, 0x5006, 0x1f4);
  g_assert_false (ipt_decode_join (tail, head, &n_before));
}

/* A loop of one block: a head placed one iteration early or late would
 * match block for block; the offsets tell. */
static void
test_blocks_loop_iteration (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  for (guint i = 0; i < 6; i++)
    add_block (tail, 0x1000, 0x1010, 5, 0x100 + 4 * i);
  for (guint i = 2; i < 6; i++)
    add_block (head, 0x1000, 0x1010, 5, 0x100 + 4 * i);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 2);

  /* the same blocks at other offsets: not these iterations */
  g_array_set_size (head, 0);
  for (guint i = 2; i < 6; i++)
    add_block (head, 0x1000, 0x1010, 5, 0x102 + 4 * i);
  g_assert_false (ipt_decode_join (tail, head, &n_before));
}

/* Different instructions, or an event at another instruction: no join. */
static void
test_blocks_differ (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before;

  add_block (tail, 0x3000, 0x3020, 8, 0x108);
  add_event (tail, ptev_disabled, 0x3022, 0x10c);
  add_block (tail, 0x4000, 0x4004, 2, 0x110);

  /* the event two instructions early */
  add_block (head, 0x3000, 0x3018, 6, 0x108);
  add_event (head, ptev_disabled, 0x3022, 0x10c);
  add_block (head, 0x3018, 0x3020, 2, 0x10c);
  add_block (head, 0x4000, 0x4004, 2, 0x110);
  g_assert_false (ipt_decode_join (tail, head, &n_before));

  /* another end of the same block */
  g_array_set_size (head, 0);
  add_block (head, 0x3000, 0x3024, 8, 0x108);
  add_event (head, ptev_disabled, 0x3022, 0x10c);
  add_block (head, 0x4000, 0x4004, 2, 0x110);
  g_assert_false (ipt_decode_join (tail, head, &n_before));

  /* a block that starts elsewhere where both start one */
  g_array_set_size (head, 0);
  add_block (head, 0x3000, 0x3020, 8, 0x108);
  add_event (head, ptev_disabled, 0x3022, 0x10c);
  add_block (head, 0x4800, 0x4004, 2, 0x110);
  g_assert_false (ipt_decode_join (tail, head, &n_before));

  /* nothing recorded after the cut */
  g_array_set_size (head, 0);
  g_assert_false (ipt_decode_join (tail, head, &n_before));
}

/* A sink that takes instructions from the block decoder: the blocks'
 * instructions, their offsets those of blocks cut elsewhere. */
static void
test_walked_other_split (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  /* tail: one block of 4 at 0x110; head: 2 at 0x10c, then 2 at 0x110 */
  add_walked (tail, 0x0ff0, TRUE, ptic_jump, 0x100);
  add_walked (tail, 0x1000, FALSE, 0, 0x110);
  add_walked (tail, 0x1002, FALSE, 0, 0x110);
  add_walked (tail, 0x1004, FALSE, 0, 0x110);
  add_walked (tail, 0x1006, TRUE, ptic_cond_jump, 0x110);
  add_walked (tail, 0x2000, TRUE, ptic_error, 0x118);     /* class left unknown */
  add_walked (head, 0x1000, FALSE, 0, 0x10c);
  add_walked (head, 0x1002, TRUE, ptic_call, 0x10c);
  add_walked (head, 0x1004, FALSE, 0, 0x110);
  add_walked (head, 0x1006, TRUE, ptic_cond_jump, 0x110);
  add_walked (head, 0x2000, TRUE, ptic_jump, 0x118);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 1);

  /* where both blocks end, offsets and known classes must agree */
  g_array_index (head, IptDecodeItem, 3).offset = 0x111;
  g_assert_false (ipt_decode_join (tail, head, &n_before));
  g_array_index (head, IptDecodeItem, 3).offset = 0x110;
  g_array_index (head, IptDecodeItem, 3).u.insn.iclass = ptic_jump;
  g_assert_false (ipt_decode_join (tail, head, &n_before));
  g_array_index (head, IptDecodeItem, 3).u.insn.iclass = ptic_cond_jump;

  /* another instruction anywhere: no join */
  g_array_index (head, IptDecodeItem, 2).u.insn.size = 3;
  g_assert_false (ipt_decode_join (tail, head, &n_before));
}

/* The instruction decoder's calls: the head must be the tail's end. */
static void
test_insns_exact (void)
{
  g_autoptr(GArray) tail = items_new ();
  g_autoptr(GArray) head = items_new ();
  guint n_before = 99;

  for (guint i = 0; i < 5; i++)
    add_insn (tail, 0x1000 + 2 * i, 0x100 + i);
  for (guint i = 3; i < 5; i++)
    add_insn (head, 0x1000 + 2 * i, 0x100 + i);
  g_assert_true (ipt_decode_join (tail, head, &n_before));
  g_assert_cmpuint (n_before, ==, 3);

  /* one fewer at the end: the records did not stop at the same call */
  add_insn (tail, 0x100a, 0x105);
  g_assert_false (ipt_decode_join (tail, head, &n_before));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decoder-join/blocks/same-split", test_blocks_same_split);
  g_test_add_func ("/decoder-join/blocks/other-split", test_blocks_other_split);
  g_test_add_func ("/decoder-join/blocks/ragged-end", test_blocks_ragged_end);
  g_test_add_func ("/decoder-join/blocks/loop-iteration", test_blocks_loop_iteration);
  g_test_add_func ("/decoder-join/blocks/differ", test_blocks_differ);
  g_test_add_func ("/decoder-join/walked/other-split", test_walked_other_split);
  g_test_add_func ("/decoder-join/insns/exact", test_insns_exact);
  return g_test_run ();
}
