/* promwatch PromProto: a bump-arena ProtobufCAllocator (see include/promproto_arena.h). */
#include "promproto_arena.h"

#include <stdlib.h>

#define PROMPROTO_ALIGNMENT 16u
#define PROMPROTO_MIN_BLOCK 4096u

typedef struct PromProtoBlock {
    struct PromProtoBlock *next;
    size_t capacity;
    size_t used;
    /* Followed by `capacity` bytes, aligned to PROMPROTO_ALIGNMENT. */
} PromProtoBlock;

#define PROMPROTO_HEADER ((sizeof(PromProtoBlock) + PROMPROTO_ALIGNMENT - 1) & ~(size_t)(PROMPROTO_ALIGNMENT - 1))

struct PromProtoArena {
    ProtobufCAllocator allocator;
    PromProtoBlock *blocks; /* The current block first. */
    size_t bytes_used;
    size_t limit;
    int exhausted;
};

static PromProtoBlock *promproto_block_new(size_t capacity) {
    if (capacity > SIZE_MAX - PROMPROTO_HEADER) return NULL;
    PromProtoBlock *block = malloc(PROMPROTO_HEADER + capacity);
    if (block == NULL) return NULL;
    block->next = NULL;
    block->capacity = capacity;
    block->used = 0;
    return block;
}

static void *promproto_arena_alloc(void *data, size_t size) {
    PromProtoArena *arena = data;
    if (size > SIZE_MAX - PROMPROTO_ALIGNMENT) return NULL;
    size_t rounded = (size + PROMPROTO_ALIGNMENT - 1) & ~(size_t)(PROMPROTO_ALIGNMENT - 1);
    if (rounded == 0) rounded = PROMPROTO_ALIGNMENT;
    if (arena->bytes_used > arena->limit || rounded > arena->limit - arena->bytes_used) {
        arena->exhausted = 1;
        return NULL;
    }
    PromProtoBlock *block = arena->blocks;
    if (block == NULL || block->capacity - block->used < rounded) {
        size_t capacity = block != NULL && block->capacity <= SIZE_MAX / 2 ? block->capacity * 2 : PROMPROTO_MIN_BLOCK;
        if (capacity < rounded) capacity = rounded;
        PromProtoBlock *fresh = promproto_block_new(capacity);
        if (fresh == NULL) {
            arena->exhausted = 1;
            return NULL;
        }
        fresh->next = block;
        arena->blocks = fresh;
        block = fresh;
    }
    void *result = (char *)block + PROMPROTO_HEADER + block->used;
    block->used += rounded;
    arena->bytes_used += rounded;
    return result;
}

static void promproto_arena_free(void *data, void *pointer) {
    /* Released in bulk by promproto_arena_reset. */
    (void)data;
    (void)pointer;
}

PromProtoArena *promproto_arena_create(size_t initial_capacity) {
    PromProtoArena *arena = malloc(sizeof(PromProtoArena));
    if (arena == NULL) return NULL;
    arena->allocator.alloc = promproto_arena_alloc;
    arena->allocator.free = promproto_arena_free;
    arena->allocator.allocator_data = arena;
    arena->blocks = NULL;
    arena->bytes_used = 0;
    arena->limit = SIZE_MAX;
    arena->exhausted = 0;
    if (initial_capacity > 0) {
        arena->blocks = promproto_block_new(initial_capacity);
        if (arena->blocks == NULL) {
            free(arena);
            return NULL;
        }
    }
    return arena;
}

static void promproto_free_blocks(PromProtoBlock *block) {
    while (block != NULL) {
        PromProtoBlock *next = block->next;
        free(block);
        block = next;
    }
}

void promproto_arena_destroy(PromProtoArena *arena) {
    if (arena == NULL) return;
    promproto_free_blocks(arena->blocks);
    free(arena);
}

void promproto_arena_reset(PromProtoArena *arena) {
    PromProtoBlock *first = arena->blocks;
    arena->bytes_used = 0;
    arena->exhausted = 0;
    if (first == NULL) return;
    if (first->next == NULL) {
        first->used = 0;
        return;
    }
    /* Several blocks were needed: replace them with one that holds them all. */
    size_t total = 0;
    for (PromProtoBlock *block = first; block != NULL; block = block->next) {
        total = total > SIZE_MAX - block->capacity ? SIZE_MAX : total + block->capacity;
    }
    promproto_free_blocks(first);
    arena->blocks = promproto_block_new(total); /* NULL is fine: the next alloc starts a new chain. */
}

size_t promproto_arena_bytes_used(const PromProtoArena *arena) { return arena->bytes_used; }

void promproto_arena_set_limit(PromProtoArena *arena, size_t limit) { arena->limit = limit; }

int promproto_arena_exhausted(const PromProtoArena *arena) { return arena->exhausted; }

Io__Prometheus__Client__MetricFamily *promproto_unpack_metric_family(
    PromProtoArena *arena, size_t length, const uint8_t *data) {
    return io__prometheus__client__metric_family__unpack(&arena->allocator, length, data);
}
