// A BIO over an evbuffer, so TLS records move through the connection's own buffers: the socket
// reads ciphertext into one evbuffer and writev()s another, and OpenSSL never sees the file
// descriptor (the connection keeps its batching and backpressure; one copy each way is the one
// OpenSSL's record layer makes anyway).
//
// As the read side of an SSL, the BIO hands out what the buffer holds and asks to be retried when
// it is empty (the owner feeds more once the socket has it). As the write side, it appends to the
// buffer and never fails or blocks. The BIO borrows the buffer, which must outlive it.
#pragma once

#include <event2/buffer.h>
#include <openssl/types.h>

namespace weft::tls {

// A new BIO over `buffer`; the caller owns the BIO (usually by handing it to SSL_set_bio).
BIO* newEvbufferBio(evbuffer* buffer);

}  // namespace weft::tls
