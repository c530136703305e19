/* promwatch PromProto: a bump-arena ProtobufCAllocator for unpacking exposition messages. */
#ifndef PROMWATCH_PROMPROTO_ARENA_H
#define PROMWATCH_PROMPROTO_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "io/prometheus/client/metrics.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An arena that libprotobuf-c unpacks into: allocation bumps a pointer, `free` does nothing, and
/// `promproto_arena_reset` releases everything at once (keeping one block as large as the high-water mark, so a
/// steady stream of similar messages allocates nothing after the first).
typedef struct PromProtoArena PromProtoArena;

/// A new, empty arena; NULL when out of memory.
PromProtoArena *promproto_arena_create(size_t initial_capacity);

/// Frees the arena and every message unpacked into it.
void promproto_arena_destroy(PromProtoArena *arena);

/// Invalidates every message unpacked into the arena and makes its memory reusable.
void promproto_arena_reset(PromProtoArena *arena);

/// Bytes currently handed out (for tests and statistics).
size_t promproto_arena_bytes_used(const PromProtoArena *arena);

/// Caps the bytes handed out until the next reset (SIZE_MAX, the default, for none): an allocation beyond it
/// fails, which fails the unpack. Bounds what a small but hostile message (say, thousands of empty sub-messages)
/// can make libprotobuf-c allocate.
void promproto_arena_set_limit(PromProtoArena *arena, size_t limit);

/// Whether an allocation failed since the last reset because of the limit (or out of memory).
int promproto_arena_exhausted(const PromProtoArena *arena);

/// Unpacks one io.prometheus.client.MetricFamily (without its length prefix) into the arena. NULL when the bytes
/// are not a valid message or memory ran out. The result lives until the next reset or destroy.
Io__Prometheus__Client__MetricFamily *promproto_unpack_metric_family(
    PromProtoArena *arena, size_t length, const uint8_t *data);

#ifdef __cplusplus
}
#endif

#endif
