/* test-image-threads.c: several decoder threads read an image while another
 * thread changes its providers. Every read must see one consistent version
 * of the chain (never a torn mix, never stale bytes from the page cache of a
 * retired version, never a crash). Bounded: a fixed number of changes. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-image-private.h"
#include "mock-provider.h"

#define BASE G_GUINT64_CONSTANT (0x100000)
#define SIZE 0x10000
#define N_READERS 4
#define N_CHANGES 1000

typedef struct {
  IptImage *image;
  guint8 *x;                    /* the base provider's bytes */
  guint8 *y;                    /* the other provider's bytes */
  gint stop;
  gint batches;                 /* read batches done by all readers */
} Shared;

typedef struct {
  Shared *shared;
  guint index;
  guint64 reads;
  guint64 from_x;
  guint64 from_y;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *reader = data;
  Shared *shared = reader->shared;
  g_autoptr(GRand) rand = g_rand_new_with_seed (reader->index);
  struct pt_asid asid;

  pt_asid_init (&asid);

  while (!g_atomic_int_get (&shared->stop) || reader->reads < 10000)
    {
      guint64 offset = g_rand_int_range (rand, 0, SIZE - 15);
      guint8 buffer[15];
      int n;

      /* mostly sequential runs, as a decoder reads */
      for (guint k = 0; k < 64 && offset + 15 <= SIZE; k++, offset += 3)
        {
          if (reader->index % 2 == 0)
            n = ipt_image_read_memory (buffer, sizeof buffer, &asid, BASE + offset, shared->image);
          else
            n = (int) ipt_image_read (shared->image, buffer, sizeof buffer, NULL, BASE + offset, NULL);

          if (n != 15)
            g_error ("reader %u: read at 0x%" G_GINT64_MODIFIER "x returned %d",
                     reader->index, BASE + offset, n);
          if (memcmp (buffer, shared->x + offset, 15) == 0)
            reader->from_x++;
          else if (memcmp (buffer, shared->y + offset, 15) == 0)
            reader->from_y++;
          else
            g_error ("reader %u: torn or stale read at 0x%" G_GINT64_MODIFIER "x",
                     reader->index, BASE + offset);
          reader->reads++;
        }
      g_atomic_int_inc (&shared->batches);
    }

  return NULL;
}

/* Two byte patterns that tell which provider served a read. */
static void
shared_init (Shared *shared, IptImage *image)
{
  shared->image = image;
  shared->x = g_malloc (SIZE);
  shared->y = g_malloc (SIZE);
  for (guint i = 0; i < SIZE; i++)
    {
      shared->x[i] = (guint8) (i * 13 + 1);
      shared->y[i] = (guint8) (i * 13 + 2);
    }
}

static void
readers_start (Shared *shared, Reader *readers, GThread **threads)
{
  for (guint i = 0; i < N_READERS; i++)
    {
      readers[i] = (Reader) { shared, i, 0, 0, 0 };
      threads[i] = g_thread_new ("reader", reader_thread, &readers[i]);
    }
}

static void
test_concurrent_readers_and_changes (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("threads");
  g_autoptr(IptMockProvider) base = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) other = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) unindexed = ipt_mock_provider_new (FALSE);
  Shared shared = { 0 };
  Reader readers[N_READERS];
  GThread *threads[N_READERS];
  gboolean other_in = FALSE, base_first = TRUE;
  guint64 from_x = 0, from_y = 0;

  shared_init (&shared, image);
  ipt_mock_provider_add_bytes (base, BASE, shared.x, SIZE, NULL);
  ipt_mock_provider_add_bytes (other, BASE, shared.y, SIZE, NULL);
  /* maps nothing that is read: only makes every read ask one more provider */
  ipt_mock_provider_add_fill (unindexed, 0x1000, 0x10, 0, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (base));

  readers_start (&shared, readers, threads);

  /* at least one of base/other is always in the chain */
  for (guint i = 0; i < N_CHANGES; i++)
    {
      switch (i % 5)
        {
        case 0:
          if (!other_in)
            {
              ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (other));
              other_in = TRUE;
            }
          break;
        case 1:
          if (other_in && base_first)
            {
              ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (base));
              ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (base));
              base_first = FALSE;
            }
          break;
        case 2:
          if (i % 3 == 0)
            ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (unindexed));
          else
            ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (unindexed));
          break;
        case 3:
          if (other_in)
            {
              ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (other));
              other_in = FALSE;
              base_first = TRUE;
            }
          break;
        case 4:
          /* a decoder thread would take a pt_image now and then */
          g_assert_nonnull (ipt_image_get_pt_image (image));
          break;
        }
      /* let the readers run between changes: a few batches each */
      {
        gint target = g_atomic_int_get (&shared.batches) + 2 * N_READERS;

        while (g_atomic_int_get (&shared.batches) < target)
          g_usleep (100);
      }
    }

  g_atomic_int_set (&shared.stop, 1);
  for (guint i = 0; i < N_READERS; i++)
    {
      g_thread_join (threads[i]);
      from_x += readers[i].from_x;
      from_y += readers[i].from_y;
    }

  g_test_message ("reads: %" G_GUINT64_FORMAT " from base, %" G_GUINT64_FORMAT " from other",
                  from_x, from_y);
  g_assert_cmpuint (from_x + from_y, >=, N_READERS * 10000);
  g_assert_cmpuint (from_x, >, 0);
  g_assert_cmpuint (from_y, >, 0);

  g_free (shared.x);
  g_free (shared.y);
}

/* Two writers change the chain at once while readers read: the chain and
 * its list model stay in step (they once did not: the model was updated
 * outside the chain's lock), and no replaced snapshot is left behind. */
typedef struct {
  IptImage *image;
  IptMemoryProvider *provider;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < N_CHANGES; i++)
    {
      ipt_image_add_provider (writer->image, writer->provider);
      g_assert_true (ipt_image_remove_provider (writer->image, writer->provider));
    }
  return NULL;
}

static void
test_two_writers (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("writers");
  g_autoptr(IptMockProvider) base = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) w1 = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) w2 = ipt_mock_provider_new (FALSE);
  Shared shared = { 0 };
  Reader readers[N_READERS];
  GThread *threads[N_READERS], *writers[2];
  Writer writer[2] = { { image, IPT_MEMORY_PROVIDER (w1) }, { image, IPT_MEMORY_PROVIDER (w2) } };
  GListModel *model = ipt_image_get_providers (image);

  shared_init (&shared, image);
  ipt_mock_provider_add_bytes (base, BASE, shared.x, SIZE, NULL);
  /* lower priority than base: readers always see base's bytes */
  ipt_mock_provider_add_bytes (w1, BASE, shared.y, SIZE, NULL);
  ipt_mock_provider_add_fill (w2, 0x1000, 0x10, 0, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (base));

  readers_start (&shared, readers, threads);
  for (guint i = 0; i < 2; i++)
    writers[i] = g_thread_new ("writer", writer_thread, &writer[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (writers[i]);
  g_atomic_int_set (&shared.stop, 1);
  for (guint i = 0; i < N_READERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (readers[i].from_y, ==, 0);
    }

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  {
    g_autoptr(GObject) first = g_list_model_get_item (model, 0);

    g_assert_true (first == G_OBJECT (base));
  }
  /* the readers are gone: one more change frees whatever they still held */
  ipt_image_set_callback (image, NULL, NULL);
  g_assert_cmpuint (ipt_image_get_n_retired (image), ==, 0);

  g_free (shared.x);
  g_free (shared.y);
}

/* Two writers add at the same moment, many times: the list model must list
 * the providers in the chain's priority order, which a read where both map
 * tells (the model was updated outside the chain's lock, so a writer could
 * come between another's chain change and its model change). */
typedef struct {
  IptImage *image;
  IptMemoryProvider *provider;
  gint *go;
} Adder;

static gpointer
adder_thread (gpointer data)
{
  Adder *adder = data;

  while (!g_atomic_int_get (adder->go))
    ;
  ipt_image_add_provider (adder->image, adder->provider);
  return NULL;
}

static void
test_model_order_with_two_writers (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("order");
  g_autoptr(IptMockProvider) a = ipt_mock_provider_new (TRUE);
  g_autoptr(IptMockProvider) b = ipt_mock_provider_new (TRUE);
  GListModel *model = ipt_image_get_providers (image);

  ipt_mock_provider_add_fill (a, 0x1000, 0x10, 0xaa, NULL);
  ipt_mock_provider_add_fill (b, 0x1000, 0x10, 0xbb, NULL);

  for (guint round = 0; round < 2000; round++)
    {
      gint go = 0;
      Adder adders[2] = { { image, IPT_MEMORY_PROVIDER (a), &go },
                          { image, IPT_MEMORY_PROVIDER (b), &go } };
      GThread *threads[2];
      g_autoptr(GObject) first = NULL;
      guint8 byte = 0;

      for (guint i = 0; i < 2; i++)
        threads[i] = g_thread_new ("adder", adder_thread, &adders[i]);
      g_atomic_int_set (&go, 1);
      for (guint i = 0; i < 2; i++)
        g_thread_join (threads[i]);

      g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
      g_assert_cmpint (ipt_image_read (image, &byte, 1, NULL, 0x1000, NULL), ==, 1);
      first = g_list_model_get_item (model, 0);
      g_assert_true (first == G_OBJECT (byte == 0xaa ? a : b));

      g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (a)));
      g_assert_true (ipt_image_remove_provider (image, IPT_MEMORY_PROVIDER (b)));
      g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    }
}

/* Threads decoding with their own pt_image (ipt_image_dup_pt_image) read
 * through the same snapshot callback and page cache machinery. */
typedef struct {
  IptImage *image;
  struct pt_image *pt_image;
  guint8 *expected;
} CallbackReader;

static gpointer
callback_reader_thread (gpointer data)
{
  CallbackReader *reader = data;

  for (guint round = 0; round < 20; round++)
    for (guint64 offset = 0; offset + 15 <= SIZE; offset += 7)
      {
        guint8 buffer[15];

        /* the image's own read-memory callback, as libipt would call it */
        g_assert_cmpint (ipt_image_read_memory (buffer, 15, NULL, BASE + offset, reader->image), ==, 15);
        g_assert_cmpmem (buffer, 15, reader->expected + offset, 15);
      }
  return NULL;
}

static void
test_concurrent_page_caches (void)
{
  g_autoptr(IptImage) image = ipt_image_new ("caches");
  g_autoptr(IptMockProvider) mock = ipt_mock_provider_new (TRUE);
  g_autofree guint8 *bytes = g_malloc (SIZE);
  CallbackReader readers[N_READERS];
  GThread *threads[N_READERS];

  for (guint i = 0; i < SIZE; i++)
    bytes[i] = (guint8) (i ^ (i >> 8));
  ipt_mock_provider_add_bytes (mock, BASE, bytes, SIZE, NULL);
  ipt_image_add_provider (image, IPT_MEMORY_PROVIDER (mock));
  ipt_mock_provider_reset_read_count (mock);

  for (guint i = 0; i < N_READERS; i++)
    {
      readers[i] = (CallbackReader) { image, NULL, bytes };
      threads[i] = g_thread_new ("cache-reader", callback_reader_thread, &readers[i]);
    }
  for (guint i = 0; i < N_READERS; i++)
    g_thread_join (threads[i]);

  /* each thread fills each page about once per round (64 slots, 16 pages) */
  g_assert_cmpuint (ipt_mock_provider_get_read_count (mock), <=, N_READERS * 20 * (SIZE / 4096) * 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/threads/readers-while-providers-change", test_concurrent_readers_and_changes);
  g_test_add_func ("/image/threads/per-thread-page-caches", test_concurrent_page_caches);
  g_test_add_func ("/image/threads/two-writers-while-readers-read", test_two_writers);
  g_test_add_func ("/image/threads/model-in-chain-order-with-two-writers",
                   test_model_order_with_two_writers);

  return g_test_run ();
}
