/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>

#include "shared/ipc/msg.h"

/* Generated from MSG_LIST: names, sizes and flags cannot drift apart. */
static const struct {
	const char	*name;
	size_t		 size;
	unsigned	 flags;
} msg_info[MSG_TYPE_MAX] = {
	[MSG_NONE] = { "MSG_NONE", 0, 0 },
#define MSG_INFO(name, type, flags)	[name] = { #name, sizeof(type), flags },
	MSG_LIST(MSG_INFO)
#undef MSG_INFO
};

const char *
msg_name(uint32_t type)
{
	if (type >= MSG_TYPE_MAX)
		return "MSG_UNKNOWN";
	return msg_info[type].name;
}

size_t
msg_size(uint32_t type)
{
	if (type == MSG_NONE || type >= MSG_TYPE_MAX)
		return (size_t)-1;
	return msg_info[type].size;
}

unsigned
msg_flags(uint32_t type)
{
	if (type >= MSG_TYPE_MAX)
		return 0;
	return msg_info[type].flags;
}
