/* test-util.c: the internal helpers of util/ that core, plugins and tools
 * share: number parsing and the sorted-range search. */
#include <glib.h>

#include "ipt-number.h"
#include "ipt-sorted.h"

static void
test_number_accepts (void)
{
  guint64 v = 0;

  g_assert_true (ipt_number_parse_full ("0", &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (ipt_number_parse_full ("010", &v));
  g_assert_cmpuint (v, ==, 10);             /* no octal */
  g_assert_true (ipt_number_parse_full ("0x7ffff7819000", &v));
  g_assert_cmpuint (v, ==, 0x7ffff7819000);
  g_assert_true (ipt_number_parse_full ("0XFF", &v));
  g_assert_cmpuint (v, ==, 255);
  g_assert_true (ipt_number_parse_full ("18446744073709551615", &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
  g_assert_true (ipt_number_parse_full ("0xffffffffffffffff", &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
}

/* A failure leaves @value alone: no partial number a caller could use. */
static void
test_number_rejects_whole (void)
{
  static const char *const bad[] = {
    "", "0x", "-5", "+5", " 5", "5 ", "1.pt", "2-3.pt", "4096.bin", "0x1g", "ten", "0b101",
  };
  guint64 v;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      v = 42;
      g_assert_false (ipt_number_parse_full (bad[i], &v));
      g_assert_cmpuint (v, ==, 42);
    }
  g_assert_false (ipt_number_parse_full (NULL, &v));
  g_assert_cmpint (ipt_number_parse ("18446744073709551616", -1, &v), ==, IPT_NUMBER_OVERFLOW);
  g_assert_cmpint (ipt_number_parse ("0x10000000000000000", -1, &v), ==, IPT_NUMBER_OVERFLOW);
  g_assert_cmpint (ipt_number_parse ("99x", -1, &v), ==, IPT_NUMBER_SYNTAX);
  g_assert_cmpuint (v, ==, 42);
}

static void
test_number_length (void)
{
  guint64 v = 0;

  g_assert_cmpint (ipt_number_parse ("6/78/3", 1, &v), ==, IPT_NUMBER_OK);
  g_assert_cmpuint (v, ==, 6);
  g_assert_cmpint (ipt_number_parse ("0x4e/3", 4, &v), ==, IPT_NUMBER_OK);
  g_assert_cmpuint (v, ==, 0x4e);
  g_assert_cmpint (ipt_number_parse ("6/78", 0, &v), ==, IPT_NUMBER_SYNTAX);
}

typedef struct {
  guint32 pad;
  guint64 start;
} Range;

static void
test_sorted_upper_bound (void)
{
  static const Range r[] = { { 0, 0x1000 }, { 0, 0x3000 }, { 0, 0x3000 }, { 0, G_MAXUINT64 } };

  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 0, Range, start, 5), ==, 0);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, 0), ==, 0);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, 0x1000), ==, 1);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, 0x2fff), ==, 1);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, 0x3000), ==, 3);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, G_MAXUINT64 - 1), ==, 3);
  g_assert_cmpuint (IPT_SORTED_UPPER_BOUND (r, 4, Range, start, G_MAXUINT64), ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/util/number/accepts", test_number_accepts);
  g_test_add_func ("/util/number/rejects-whole-text", test_number_rejects_whole);
  g_test_add_func ("/util/number/length", test_number_length);
  g_test_add_func ("/util/sorted/upper-bound", test_sorted_upper_bound);

  return g_test_run ();
}
