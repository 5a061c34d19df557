/*
 * Pages never handed out yet are taken in address order from `fresh` up to the end of RAM;
 * pages given back form a singly linked list threaded through the pages themselves, and
 * are handed out again first. So boot touches no page it does not use: threading all of RAM
 * into the list first wrote to each of its 32k pages, and QEMU's first touch of a guest page
 * costs a host page fault, about 250 ms of wall time at every boot (measured, SMP=1).
 * Callers hold the big kernel lock (see sched.c); the allocator has no lock of its own.
 */
#include "kalloc.h"

#include <stdint.h>
#include <string.h>

#include "config.h"
#include "console.h"

extern char __kernel_end[];

struct free_page {
	struct free_page *next;
};

static struct free_page *free_list;
static size_t free_count;
static uintptr_t fresh; /* the first page never handed out; RAM's end when none is left */

void ks_kalloc_init(void)
{
	fresh = ((uintptr_t)__kernel_end + KS_PAGE_SIZE - 1) & ~(uintptr_t)(KS_PAGE_SIZE - 1);
	free_list = NULL;
	free_count = fresh < KS_RAM_BASE + KS_RAM_SIZE ? (KS_RAM_BASE + KS_RAM_SIZE - fresh) / KS_PAGE_SIZE : 0;
}

void *ks_page_alloc(void)
{
	void *page;
	if (free_list != NULL) {
		page = free_list;
		free_list = free_list->next;
	} else if (fresh + KS_PAGE_SIZE <= KS_RAM_BASE + KS_RAM_SIZE) {
		page = (void *)fresh;
		fresh += KS_PAGE_SIZE;
	} else {
		return NULL;
	}
	free_count--;
	memset(page, 0, KS_PAGE_SIZE);
	return page;
}

void ks_page_free(void *page)
{
	uintptr_t p = (uintptr_t)page;
	if (p % KS_PAGE_SIZE != 0 || p < (uintptr_t)__kernel_end || p >= fresh)
		ks_panic("page_free of bad page %p\n", page);
	struct free_page *fp = page;
	fp->next = free_list;
	free_list = fp;
	free_count++;
}

size_t ks_pages_free(void)
{
	return free_count;
}
