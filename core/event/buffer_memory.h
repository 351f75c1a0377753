// Buffer memory: where libevent gets its memory from, tuned for the data path.
//
// Every message a connection reads or writes lives for a moment in an evbuffer chain of libevent's
// smallest size, 1 KiB, which is exactly where glibc's large bins start: once its small per-thread
// cache runs dry (bursts of 64 connections do), each such allocation consolidates the fast bins
// and walks the bins, and each free goes through the unsorted list. installBufferMemory() routes
// libevent's allocations through a per-thread stack of such blocks instead, so a chain made and
// freed per message costs a pointer pop and push. Every other size goes to malloc untouched.
//
// Blocks are ordinary malloc blocks, so memory libevent allocated before the installation, or
// frees on another thread than the one that allocated it, stays correct. Under AddressSanitizer
// nothing is installed, so freed chains keep being checked.
#pragma once

namespace weft::event {

// Installs the cache as libevent's allocator, once per process; later calls do nothing. EventLoop's
// constructor calls it, before its event base allocates anything.
void installBufferMemory();

}  // namespace weft::event
