/* test-error.c: the one translation between GError and libipt's pt_error_code. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

static void
test_error_to_pt_code (void)
{
  g_autoptr (GError) unmapped = g_error_new_literal (IPT_ERROR, IPT_ERROR_UNMAPPED, "x");
  g_autoptr (GError) invalid = g_error_new_literal (IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "x");
  g_autoptr (GError) io = g_error_new_literal (IPT_ERROR, IPT_ERROR_IO, "x");
  g_autoptr (GError) corrupt = g_error_new_literal (IPT_ERROR, IPT_ERROR_CORRUPT, "x");
  g_autoptr (GError) foreign = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "x");

  g_assert_cmpint (ipt_error_to_pt_error_code (NULL), ==, 0);
  g_assert_cmpint (ipt_error_to_pt_error_code (unmapped), ==, -pte_nomap);
  g_assert_cmpint (ipt_error_to_pt_error_code (invalid), ==, -pte_invalid);
  g_assert_cmpint (ipt_error_to_pt_error_code (io), ==, -pte_bad_image);
  g_assert_cmpint (ipt_error_to_pt_error_code (corrupt), ==, -pte_bad_image);
  g_assert_cmpint (ipt_error_to_pt_error_code (foreign), ==, -pte_bad_image);
}

static void
test_error_from_pt_code (void)
{
  g_autoptr (GError) error = NULL;

  ipt_set_error_from_pt_error_code (&error, -pte_nomap, "reading %s at 0x%x", "trace.pt", 0x40);
  g_assert_error (error, IPT_ERROR, IPT_ERROR_UNMAPPED);
  g_assert_true (g_str_has_prefix (error->message, "reading trace.pt at 0x40: "));
  g_assert_nonnull (strstr (error->message, pt_errstr (pte_nomap)));
  g_clear_error (&error);

  /* the sign of the code does not matter */
  ipt_set_error_from_pt_error_code (&error, pte_bad_opc, "decoding");
  g_assert_error (error, IPT_ERROR, IPT_ERROR_DECODE);
  g_clear_error (&error);

  ipt_set_error_from_pt_error_code (&error, -pte_invalid, "x");
  g_assert_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a NULL error location is allowed */
  ipt_set_error_from_pt_error_code (NULL, -pte_eos, "ignored");
}

static void
test_error_round_trip (void)
{
  const int codes[] = { -pte_nomap, -pte_invalid, -pte_not_supported };

  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr (GError) error = NULL;

      ipt_set_error_from_pt_error_code (&error, codes[i], "step %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (ipt_error_to_pt_error_code (error), ==, codes[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/to-pt-code", test_error_to_pt_code);
  g_test_add_func ("/error/from-pt-code", test_error_from_pt_code);
  g_test_add_func ("/error/round-trip", test_error_round_trip);

  return g_test_run ();
}
