/*
 * The free pages form a singly linked list threaded through the pages themselves.
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

void ks_kalloc_init(void)
{
	uintptr_t p = ((uintptr_t)__kernel_end + KS_PAGE_SIZE - 1) & ~(KS_PAGE_SIZE - 1);
	for (; p + KS_PAGE_SIZE <= KS_RAM_BASE + KS_RAM_SIZE; p += KS_PAGE_SIZE)
		ks_page_free((void *)p);
}

void *ks_page_alloc(void)
{
	struct free_page *page = free_list;
	if (page == NULL)
		return NULL;
	free_list = page->next;
	free_count--;
	memset(page, 0, KS_PAGE_SIZE);
	return page;
}

void ks_page_free(void *page)
{
	uintptr_t p = (uintptr_t)page;
	if (p % KS_PAGE_SIZE != 0 || p < (uintptr_t)__kernel_end || p >= KS_RAM_BASE + KS_RAM_SIZE)
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
