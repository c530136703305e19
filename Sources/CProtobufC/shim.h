#ifndef PROMWATCH_CPROTOBUFC_SHIM_H
#define PROMWATCH_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
