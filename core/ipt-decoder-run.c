/* ipt-decoder-run.c: one decode — libipt's block or instruction-flow
 * decoder over a trace buffer and the image's snapshot, with the loop,
 * event flow and error diagnosis of libipt's own ptxed (so that a listing
 * sink can reproduce ptxed's output byte for byte), feeding an IptSink.
 * The per-instruction path makes no allocation and no vfunc lookup. The
 * IptDecoder object is in ipt-decoder.c, its entry points in
 * ipt-decoder-decode.c; a decode of one segment of a parallel decode is
 * this one with an IptDecodeSegment that says where it starts and what it
 * records (ipt-decoder-parallel.c), which ipt-decoder-outcome.c compares
 * and replays. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-asid-private.h"
#include "ipt-decoder-private.h"
#include "ipt-insn-walker-private.h"
#include "ipt-sigbus-private.h"
#include "ipt-trace-asids-private.h"

/* How often (in loop iterations) the decoder looks at the clock and the
 * cancellable, and the least time between two progress signals. */
#define CHECK_INTERVAL 4096
#define PROGRESS_INTERVAL_US (100 * 1000)

/* The state of one decode; the sink's vfuncs are resolved here once. */
typedef struct {
  IptDecoder *self;
  IptSink *sink;
  IptSinkNeeds needs;
  void (*insn_fn) (IptSink *, const struct pt_insn *);
  void (*block_fn) (IptSink *, const struct pt_block *);
  void (*event_fn) (IptSink *, const struct pt_event *);
  void (*error_fn) (IptSink *, IptDecodeErrorKind, gint64, guint64, int);
  void (*eos_fn) (IptSink *, gint64);

  IptInsnWalker walker;
  guint64 size;
  guint ticks;
  gint64 last_progress;
  gboolean want_progress;
  GMainContext *progress_context;       /* async: emit there; NULL: emit here */
  GCancellable *cancellable;
  gboolean cancelled;

  /* a decode that walks on without reading trace (ipt_decoder_set_stall_limit()) */
  guint64 stall_limit;          /* 0: never stop */
  guint64 n_insns;              /* decoded so far (block decoder: exact; insn: per check) */
  guint64 stall_offset;         /* the trace offset at the last check */
  guint64 stall_from;           /* n_insns when the offset last moved */
  guint64 stall_ip;
  gboolean stalled;

  guint64 fault_offset;         /* the trace offset when a mapped file vanished */

  /* memory over time: the decode reads the view of its time */
  IptImageSnapshot *snapshot;
  struct pt_image *image;       /* the decode's own, moved between epochs */
  const IptImageView *view;
  gboolean timed;               /* the snapshot has more than one epoch */
  gboolean saw_time;
  guint64 last_tsc;
  guint64 n_epoch_switches;

  /* one segment of a parallel decode: which calls are recorded, which made */
  IptDecodeSegment *seg;        /* NULL: a whole decode */
  enum { MODE_DIRECT, MODE_HEAD, MODE_TAIL } mode;
  gboolean stop;                /* the segment's tail is complete */
} Run;

/* ---- progress and cancellation ---- */

typedef struct {
  IptDecoder *self;
  guint64 offset;
  guint64 size;
} ProgressData;

static gboolean
emit_progress_idle (gpointer user_data)
{
  ProgressData *data = user_data;

  ipt_decoder_emit_progress (data->self, data->offset, data->size);
  return G_SOURCE_REMOVE;
}

static void
progress_data_free (gpointer user_data)
{
  ProgressData *data = user_data;

  g_object_unref (data->self);
  g_free (data);
}

/* The progress signal in @context (NULL: here, now). */
void
ipt_decoder_report_progress (IptDecoder *self, GMainContext *context, guint64 offset,
                             guint64 size)
{
  if (context == NULL)
    {
      ipt_decoder_emit_progress (self, offset, size);
      return;
    }

  ProgressData *data = g_new (ProgressData, 1);
  data->self = g_object_ref (self);
  data->offset = offset;
  data->size = size;
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, emit_progress_idle, data,
                              progress_data_free);
}

static void
emit_progress (Run *run, guint64 offset)
{
  ipt_decoder_report_progress (run->self, run->progress_context, offset, run->size);
}

/* ---- the sink's calls, recorded for a segment ---- */

/* libipt's offset, without the public getter's checks: asked at every call. */
static inline gboolean
run_offset (Run *run, guint64 *offset)
{
  uint64_t pos = 0;
  int status = run->self->insn != NULL ? pt_insn_get_offset (run->self->insn, &pos)
                                       : pt_blk_get_offset (run->self->blk, &pos);

  *offset = pos;
  return status >= 0;
}

/* The common case of a segment's call: made, not recorded, no mode to change. */
static inline gboolean
segment_direct (Run *run)
{
  guint64 offset;

  if (run->mode != MODE_DIRECT)
    return FALSE;
  return !run_offset (run, &offset) || offset < run->seg->cut;
}

/* Before each call of a segment's decode: whether the call goes to the
 * sink (*@forward), and the item to record it in, or NULL. The marks are
 * compared with libipt's offset at every call, so that two decoders in
 * the same state switch at the same call. */
static IptDecodeItem *
segment_check (Run *run, gboolean *forward)
{
  IptDecodeSegment *seg = run->seg;
  IptDecodeItem *item;
  GArray *to;
  guint64 offset = 0;
  gboolean has_offset;
  uint32_t lost_mtc, lost_cyc;
  uint64_t tsc = 0;
  int status;

  *forward = FALSE;
  if (run->stop)
    return NULL;

  has_offset = run_offset (run, &offset);
  if (has_offset)
    {
      if (run->mode != MODE_TAIL && offset >= seg->cut)
        run->mode = MODE_TAIL;
      else if (run->mode == MODE_HEAD && offset >= seg->head_end)
        run->mode = MODE_DIRECT;
      if (run->mode == MODE_TAIL && offset >= seg->tail_end)
        {
          run->stop = TRUE;
          return NULL;
        }
    }
  *forward = run->mode != MODE_TAIL;
  to = run->mode == MODE_HEAD ? seg->head : run->mode == MODE_TAIL ? seg->tail : NULL;
  if (to == NULL)
    return NULL;

  g_array_set_size (to, to->len + 1);
  item = &g_array_index (to, IptDecodeItem, to->len - 1);
  item->has_offset = has_offset;
  item->offset = offset;
  status = run->self->blk != NULL ? pt_blk_time (run->self->blk, &tsc, &lost_mtc, &lost_cyc)
                                  : pt_insn_time (run->self->insn, &tsc, &lost_mtc, &lost_cyc);
  item->has_tsc = status >= 0;
  item->tsc = status >= 0 ? tsc : 0;
  return item;
}

/* Each call of the sink goes through one of these; a whole decode pays one
 * predictable branch. */
#define SEGMENT_TAKE(run, item_kind, field, value) \
  G_STMT_START { \
    if (G_UNLIKELY ((run)->seg != NULL) && !segment_direct (run)) \
      { \
        gboolean forward_; \
        IptDecodeItem *item_ = segment_check ((run), &forward_); \
        if (item_ != NULL) \
          { \
            item_->kind = (item_kind); \
            item_->u.field = (value); \
          } \
        if (!forward_) \
          return; \
      } \
  } G_STMT_END

static inline void
emit_insn (Run *run, const struct pt_insn *insn)
{
  SEGMENT_TAKE (run, IPT_DECODE_ITEM_INSN, insn, *insn);
  run->insn_fn (run->sink, insn);
}

static inline void
emit_block (Run *run, const struct pt_block *block)
{
  SEGMENT_TAKE (run, IPT_DECODE_ITEM_BLOCK, block, *block);
  run->block_fn (run->sink, block);
}

static void
emit_event (Run *run, const struct pt_event *event)
{
  SEGMENT_TAKE (run, IPT_DECODE_ITEM_EVENT, event, *event);
  run->event_fn (run->sink, event);
}

static void
emit_error (Run *run, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  if (G_UNLIKELY (run->seg != NULL) && !segment_direct (run))
    {
      gboolean forward;
      IptDecodeItem *item = segment_check (run, &forward);

      if (item != NULL)
        {
          item->kind = IPT_DECODE_ITEM_ERROR;
          item->u.error.kind = kind;
          item->u.error.offset = offset;
          item->u.error.ip = ip;
          item->u.error.code = code;
        }
      if (!forward)
        return;
    }
  run->error_fn (run->sink, kind, offset, ip, code);
}

static void
emit_end_of_trace (Run *run, gint64 offset)
{
  SEGMENT_TAKE (run, IPT_DECODE_ITEM_END_OF_TRACE, eot_offset, offset);
  run->eos_fn (run->sink, offset);
}

/* Whether the trace offset has not moved over the last stall_limit
 * instructions: only direct branches need no trace, so the decode is in a
 * loop that the trace never leaves (memory that does not match the trace,
 * or a program stopped in `jmp .`) and would go on for ever. */
static gboolean
run_stalled (Run *run, guint64 ip)
{
  guint64 offset;

  if (run->self->insn != NULL)
    run->n_insns += CHECK_INTERVAL;   /* an iteration of its loop is an instruction */

  if (!ipt_decoder_get_offset (run->self, &offset) || offset != run->stall_offset)
    {
      run->stall_offset = offset;
      run->stall_from = run->n_insns;
      return FALSE;
    }
  if (run->n_insns - run->stall_from < run->stall_limit)
    return FALSE;

  run->stalled = TRUE;
  run->stall_ip = ip;
  return TRUE;
}

/* Called every CHECK_INTERVAL iterations or instructions; returns TRUE to
 * stop (cancelled, or stalled). @ip: the last instruction or block end. */
static gboolean
run_check (Run *run, guint64 ip)
{
  if (run->cancellable != NULL && g_cancellable_is_cancelled (run->cancellable))
    {
      run->cancelled = TRUE;
      return TRUE;
    }
  if (run->stall_limit > 0 && run_stalled (run, ip))
    return TRUE;

  if (run->want_progress)
    {
      gint64 now = g_get_monotonic_time ();
      guint64 offset;

      if (now - run->last_progress >= PROGRESS_INTERVAL_US &&
          ipt_decoder_get_offset (run->self, &offset))
        {
          run->last_progress = now;
          emit_progress (run, offset);
        }
    }
  return FALSE;
}

#define RUN_TICK(run, ip) \
  (G_UNLIKELY (++(run)->ticks >= CHECK_INTERVAL) && ((run)->ticks = 0, run_check ((run), (ip))))

/* ---- time ---- */

/* Follows the trace's time (libipt's, which moves at TSC, MTC and CYC
 * packets) into the epochs of the snapshot: when it enters another one,
 * the decode's pt_image gets that epoch's sections and callback, and the
 * walker its view. Only called when the memory changes over time. */
static void
follow_time (Run *run)
{
  IptDecoder *self = run->self;
  const IptImageView *view;
  uint32_t lost_mtc, lost_cyc;
  uint64_t tsc;
  int status;

  status = self->blk != NULL ? pt_blk_time (self->blk, &tsc, &lost_mtc, &lost_cyc)
                             : pt_insn_time (self->insn, &tsc, &lost_mtc, &lost_cyc);
  if (status < 0 || (run->saw_time && tsc == run->last_tsc))
    return;
  run->saw_time = TRUE;
  run->last_tsc = tsc;

  view = ipt_image_snapshot_get_view (run->snapshot,
                                      ipt_tsc_to_time (tsc, self->tsc_zero, self->tsc_mult,
                                                       self->tsc_shift));
  if (view == run->view)
    return;
  ipt_image_view_move_pt_image (self->image, run->image, run->view, view);
  ipt_insn_walker_set_view (&run->walker, view);
  run->view = view;
  run->n_epoch_switches++;
}

#define FOLLOW_TIME(run) G_STMT_START { if (G_UNLIKELY ((run)->timed)) follow_time (run); } G_STMT_END

/* ---- errors ---- */

static void
report_error (Run *run, IptDecodeErrorKind kind, guint64 ip, int code)
{
  guint64 offset;
  gint64 pos = -1;

  if (run->error_fn == NULL)
    return;
  if (ipt_decoder_get_offset (run->self, &offset))
    pos = (gint64) offset;
  emit_error (run, kind, pos, ip, code);
}

static void
current_asid (Run *run, IptAsid *asid)
{
  struct pt_asid pt;

  pt_asid_init (&pt);
  if (run->self->blk != NULL)
    (void) pt_blk_asid (run->self->blk, &pt, sizeof (pt));
  else if (run->self->insn != NULL)
    (void) pt_insn_asid (run->self->insn, &pt, sizeof (pt));
  ipt_asid_from_pt (asid, &pt);
}

/* The ip ptxed reports a block decoder error at: after the block's last
 * instruction when fetching the next one failed, else that instruction. */
static void
report_block_error (Run *run, IptDecodeErrorKind kind, int code, const struct pt_block *block)
{
  guint64 ip;

  if (block->ninsn == 0)
    ip = block->ip;
  else
    {
      ip = block->end_ip;
      if (code == -pte_nomap || code == -pte_bad_insn)
        {
          struct pt_insn insn;
          IptAsid asid;
          guint64 next_ip;

          current_asid (run, &asid);
          if (ipt_insn_walker_fetch (&run->walker, block, &asid, block->end_ip,
                                     &insn, &next_ip) == 0)
            ip = next_ip;
        }
    }
  report_error (run, kind, ip, code);
}

/* ---- block decoder ---- */

static void
walk_insn (const struct pt_insn *insn, gpointer user_data)
{
  Run *run = user_data;

  emit_insn (run, insn);
}

static void
deliver_block (Run *run, const struct pt_block *block)
{
  /* long blocks count by their instructions, so that checks keep coming */
  run->n_insns += block->ninsn;
  run->ticks += block->ninsn;

  if (run->block_fn != NULL)
    emit_block (run, block);

  if (run->insn_fn != NULL)
    {
      IptAsid asid;
      guint64 error_ip = 0;
      int status;

      current_asid (run, &asid);
      status = ipt_insn_walker_walk (&run->walker, block, &asid, walk_insn, run, &error_ip);
      if (status < 0)
        report_error (run, IPT_DECODE_ERROR_RECONSTRUCT, error_ip, status);
    }
}

static int
drain_events_block (Run *run, int status)
{
  while (status & pts_event_pending)
    {
      struct pt_event event;

      status = pt_blk_event (run->self->blk, &event, sizeof (event));
      if (status < 0)
        return status;
      if (run->event_fn != NULL)
        emit_event (run, &event);
    }
  return status;
}

static void
end_of_trace (Run *run)
{
  guint64 offset;

  if (run->eos_fn == NULL)
    return;
  emit_end_of_trace (run, ipt_decoder_get_offset (run->self, &offset) ? (gint64) offset : -1);
}

/* Whether the decode starts at a PSB of its segment rather than at the first. */
static gboolean
starts_at_psb (Run *run)
{
  return run->seg != NULL && run->seg->start != G_MAXUINT64;
}

static void
decode_block (Run *run)
{
  struct pt_block_decoder *dec = run->self->blk;
  uint64_t sync = 0;
  gboolean first = TRUE;

  for (;;)
    {
      struct pt_block block;
      int status;

      /* Reported on sync errors (ip 0), as ptxed does. */
      memset (&block, 0, sizeof (block));

      status = first && starts_at_psb (run) ? pt_blk_sync_set (dec, run->seg->start)
                                            : pt_blk_sync_forward (dec);
      first = FALSE;
      if (status < 0)
        {
          uint64_t new_sync;

          if (status == -pte_eos)
            break;
          report_block_error (run, IPT_DECODE_ERROR_SYNC, status, &block);
          if (G_UNLIKELY (run->stop))
            return;
          /* No progress means we never will: stop. */
          if (pt_blk_get_offset (dec, &new_sync) < 0 || new_sync <= sync)
            break;
          sync = new_sync;
          continue;
        }

      for (;;)
        {
          status = drain_events_block (run, status);
          FOLLOW_TIME (run);
          if (G_UNLIKELY (run->stop))
            return;
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              if (!(status & pts_ip_suppressed))
                end_of_trace (run);
              status = -pte_eos;
              break;
            }
          if (RUN_TICK (run, block.end_ip))
            return;

          status = pt_blk_next (dec, &block, sizeof (block));
          if (status < 0)
            {
              /* Some instructions may have been decoded before the error. */
              if (block.ninsn > 0)
                deliver_block (run, &block);
              break;
            }
          deliver_block (run, &block);
          FOLLOW_TIME (run);
        }

      if (status == -pte_eos)
        break;
      report_block_error (run, IPT_DECODE_ERROR_DECODE, status, &block);
      ipt_insn_walker_invalidate (&run->walker);
      if (G_UNLIKELY (run->stop))
        return;
    }
}

/* ---- instruction flow decoder ---- */

static int
drain_events_insn (Run *run, int status)
{
  while (status & pts_event_pending)
    {
      struct pt_event event;

      status = pt_insn_event (run->self->insn, &event, sizeof (event));
      if (status < 0)
        return status;
      if (run->event_fn != NULL)
        emit_event (run, &event);
    }
  return status;
}

/* Below, an ordinary instruction of a segment's decode skips the check of
 * the offset (most of its cost per instruction): libipt's instruction flow
 * decoder reads trace for branches and events, so the offset seldom moves
 * at one; where it does, the switch to the tail comes a few calls late,
 * which only makes the cut's check fail, never the calls wrong. */
static void
decode_insn (Run *run)
{
  struct pt_insn_decoder *dec = run->self->insn;
  gboolean want_insns = run->insn_fn != NULL;
  uint64_t sync = 0;
  gboolean first = TRUE;

  for (;;)
    {
      struct pt_insn insn;
      int status;

      memset (&insn, 0, sizeof (insn));

      status = first && starts_at_psb (run) ? pt_insn_sync_set (dec, run->seg->start)
                                            : pt_insn_sync_forward (dec);
      first = FALSE;
      if (status < 0)
        {
          uint64_t new_sync;

          if (status == -pte_eos)
            break;
          report_error (run, IPT_DECODE_ERROR_SYNC, insn.ip, status);
          if (G_UNLIKELY (run->stop))
            return;
          if (pt_insn_get_offset (dec, &new_sync) < 0 || new_sync <= sync)
            break;
          sync = new_sync;
          continue;
        }

      for (;;)
        {
          status = drain_events_insn (run, status);
          FOLLOW_TIME (run);
          if (G_UNLIKELY (run->stop))
            return;
          if (status < 0)
            break;
          if (status & pts_eos)
            {
              if (!(status & pts_ip_suppressed))
                end_of_trace (run);
              status = -pte_eos;
              break;
            }
          if (RUN_TICK (run, insn.ip))
            return;

          status = pt_insn_next (dec, &insn, sizeof (insn));
          if (status < 0)
            {
              /* libipt may return an instruction together with an error. */
              if (insn.iclass != ptic_error && want_insns)
                emit_insn (run, &insn);
              break;
            }
          if (!want_insns)
            ;
          else if (G_LIKELY (insn.iclass == ptic_other && run->mode == MODE_DIRECT))
            run->insn_fn (run->sink, &insn);
          else
            emit_insn (run, &insn);
          FOLLOW_TIME (run);
        }

      if (status == -pte_eos)
        break;
      report_error (run, IPT_DECODE_ERROR_DECODE, insn.ip, status);
      if (G_UNLIKELY (run->stop))
        return;
    }
}

/* ---- entry points ---- */

/* Providers that serve address spaces on demand (list_regions_in) index
 * the trace's CR3s before the decode takes its snapshot, so that their
 * code is file sections: a pass over the packets, under a SIGBUS guard
 * like the decode (the trace may be a mapped file). */
gboolean
ipt_decoder_learn_address_spaces (IptImage *image, const guint8 *data, gsize size,
                                  const char *name, GError **error)
{
  g_autoptr(GArray) asids = NULL;
  GArray *volatile scanned = NULL;   /* set below the setjmp: volatile */
  IptSigbusGuard guard;
  gboolean truncated = FALSE;

  ipt_sigbus_guard_enter (&guard);
  if (sigsetjmp (guard.env, 0) == 0)
    scanned = ipt_trace_scan_address_spaces (data, size, IPT_TRACE_MAX_ADDRESS_SPACES, &truncated);
  else
    {
      ipt_sigbus_guard_set_error (&guard, error);
      g_prefix_error (error, "%s: ", name);
    }
  ipt_sigbus_guard_leave (&guard);
  asids = scanned;
  if (asids == NULL)
    return FALSE;
  if (truncated)
    g_debug ("%s: more than %u address spaces (PIP CR3s): memory of the others is read "
             "through the callback", name, IPT_TRACE_MAX_ADDRESS_SPACES);
  ipt_image_add_address_spaces (image, (const IptAsid *) (gpointer) asids->data, asids->len);
  return TRUE;
}

/* The decode loop in a frame below a SIGBUS guard: a mapped file (the
 * trace, a file section libipt reads, a provider's file) truncated under
 * the decode ends it with *@fault set, instead of killing the process. */
static void
decode_guarded (Run *run, GError **fault)
{
  IptSigbusGuard guard;

  ipt_sigbus_guard_enter (&guard);
  if (sigsetjmp (guard.env, 0) == 0)
    {
      if (run->self->kind == IPT_DECODER_KIND_INSN)
        decode_insn (run);
      else
        decode_block (run);
    }
  else
    {
      ipt_sigbus_guard_set_error (&guard, fault);
      if (!ipt_decoder_get_offset (run->self, &run->fault_offset))
        run->fault_offset = 0;
    }
  ipt_sigbus_guard_leave (&guard);
}


/* One decode over @snapshot, on @self's libipt decoder (ipt-decoder-private.h). */
gboolean
ipt_decoder_run_segment (IptDecoder *self, IptImageSnapshot *snapshot, const guint8 *data,
                         gsize size, const char *name, IptSink *sink,
                         IptDecodeSegment *segment, GCancellable *cancellable,
                         GMainContext *progress_context, IptDecodeOutcome *outcome,
                         GError **error)
{
  g_autoptr(GError) fault = NULL;
  IptSinkInterface *iface;
  struct pt_config config;
  struct pt_image *image;
  const IptImageView *view;
  gboolean ok = TRUE;
  Run run;
  int status;

  /* until the trace says what time it is: the latest memory. A pt_image
   * of the decode's own: libipt reorders sections as it reads, so one must
   * not serve decoders in several threads. */
  view = ipt_image_snapshot_get_view (snapshot, IPT_TIME_END);
  image = ipt_image_snapshot_dup_pt_image (self->image, view);
  if (image == NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: the image '%s' has no libipt image", name,
                   ipt_image_get_name (self->image));
      return FALSE;
    }

  memset (&run, 0, sizeof (run));
  run.self = self;
  run.sink = sink;
  run.size = size;
  run.cancellable = cancellable;
  run.progress_context = progress_context;
  run.want_progress = segment == NULL && ipt_decoder_has_progress_handler (self);
  run.last_progress = g_get_monotonic_time ();
  run.stall_limit = self->stall_limit;
  run.stall_offset = G_MAXUINT64;
  ipt_insn_walker_init (&run.walker, view);
  run.snapshot = snapshot;
  run.image = image;
  run.view = view;
  run.timed = ipt_image_snapshot_is_timed (snapshot);
  run.seg = segment;
  run.mode = segment != NULL && segment->head_end > 0 ? MODE_HEAD : MODE_DIRECT;

  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + size;
  config.cpu = self->cpu;
  config.errata = self->errata;

  if (self->kind == IPT_DECODER_KIND_INSN)
    {
      self->insn = pt_insn_alloc_decoder (&config);
      status = self->insn != NULL ? pt_insn_set_image (self->insn, image) : -pte_nomem;
    }
  else
    {
      self->blk = pt_blk_alloc_decoder (&config);
      status = self->blk != NULL ? pt_blk_set_image (self->blk, image) : -pte_nomem;
    }
  if (status < 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_DECODE,
                   "%s: cannot create the libipt decoder: %s", name,
                   pt_errstr (pt_errcode (status)));
      ok = FALSE;
      goto out;
    }

  /* Ask the sink once what it wants; no lookups on the hot path. */
  if (!ipt_sink_begin (sink, self, error))
    {
      ok = FALSE;
      goto out;
    }
  iface = IPT_SINK_GET_IFACE (sink);
  run.needs = ipt_sink_get_needs (sink);
  run.insn_fn = (run.needs & IPT_SINK_NEEDS_INSNS) ? iface->insn : NULL;
  run.block_fn = (run.needs & IPT_SINK_NEEDS_BLOCKS) ? iface->block : NULL;
  if (self->kind == IPT_DECODER_KIND_INSN)
    run.block_fn = NULL;
  run.event_fn = iface->event;
  run.error_fn = iface->error;
  run.eos_fn = iface->end_of_trace;

  decode_guarded (&run, &fault);

  if (run.want_progress && !run.cancelled && fault == NULL)
    emit_progress (&run, size);

  outcome->cancelled = run.cancelled;
  outcome->stalled = run.stalled;
  outcome->stall_offset = run.stall_offset;
  outcome->stall_insns = run.n_insns - run.stall_from;
  outcome->stall_ip = run.stall_ip;
  outcome->fault = g_steal_pointer (&fault);
  outcome->fault_offset = run.fault_offset;
  outcome->saw_time = run.saw_time;

out:
  g_clear_pointer (&self->insn, pt_insn_free_decoder);
  g_clear_pointer (&self->blk, pt_blk_free_decoder);
  ipt_insn_walker_clear (&run.walker);
  pt_image_free (image);
  return ok;
}

gboolean
ipt_decoder_run (IptDecoder *self, const guint8 *data, gsize size, const char *name,
                 IptSink *sink, GCancellable *cancellable, GMainContext *progress_context,
                 GError **error)
{
  IptDecodeOutcome outcome = { 0, };
  IptImageSnapshot *snapshot;
  gboolean fell_back = TRUE;
  gboolean ok = FALSE;

  if (size == 0)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT, "%s: the trace is empty", name);
      return FALSE;
    }
  if (ipt_image_serves_address_spaces (self->image) &&
      !ipt_decoder_learn_address_spaces (self->image, data, size, name, error))
    return FALSE;
  if (!g_atomic_int_compare_and_exchange (&self->busy, 0, 1))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_FAILED,
                   "%s: this decoder is already decoding another trace", name);
      return FALSE;
    }

  /* The chain as it is now, for the whole decode (libipt and the walker
   * read the same memory, whatever changes meanwhile). */
  snapshot = ipt_image_acquire_snapshot (self->image);
  self->n_segments = 1;

  if (self->jobs != 1 && ipt_sink_can_split (sink))
    ok = ipt_decoder_run_parallel (self, snapshot, data, size, name, sink, cancellable,
                                   progress_context, &fell_back, error);
  if (fell_back)
    {
      self->n_segments = 1;
      ok = ipt_decoder_run_segment (self, snapshot, data, size, name, sink, NULL, cancellable,
                                    progress_context, &outcome, error) &&
           ipt_decode_outcome_check (&outcome, self, snapshot, name, sink, error);
      ipt_decode_outcome_clear (&outcome);
    }

  ipt_image_release_snapshot (self->image, snapshot);
  g_atomic_int_set (&self->busy, 0);
  return ok;
}
