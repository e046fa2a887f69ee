#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 80668:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

(function(nacl) {
'use strict';

// Ported in 2014 by Dmitry Chestnykh and Devi Mandiri.
// Public domain.
//
// Implementation derived from TweetNaCl version 20140427.
// See for details: http://tweetnacl.cr.yp.to/

var gf = function(init) {
  var i, r = new Float64Array(16);
  if (init) for (i = 0; i < init.length; i++) r[i] = init[i];
  return r;
};

//  Pluggable, initialized in high-level API below.
var randombytes = function(/* x, n */) { throw new Error('no PRNG'); };

var _0 = new Uint8Array(16);
var _9 = new Uint8Array(32); _9[0] = 9;

var gf0 = gf(),
    gf1 = gf([1]),
    _121665 = gf([0xdb41, 1]),
    D = gf([0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070, 0xe898, 0x7779, 0x4079, 0x8cc7, 0xfe73, 0x2b6f, 0x6cee, 0x5203]),
    D2 = gf([0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283, 0x149a, 0x00e0, 0xd130, 0xeef3, 0x80f2, 0x198e, 0xfce7, 0x56df, 0xd9dc, 0x2406]),
    X = gf([0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169]),
    Y = gf([0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666]),
    I = gf([0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43, 0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83]);

function ts64(x, i, h, l) {
  x[i]   = (h >> 24) & 0xff;
  x[i+1] = (h >> 16) & 0xff;
  x[i+2] = (h >>  8) & 0xff;
  x[i+3] = h & 0xff;
  x[i+4] = (l >> 24)  & 0xff;
  x[i+5] = (l >> 16)  & 0xff;
  x[i+6] = (l >>  8)  & 0xff;
  x[i+7] = l & 0xff;
}

function vn(x, xi, y, yi, n) {
  var i,d = 0;
  for (i = 0; i < n; i++) d |= x[xi+i]^y[yi+i];
  return (1 & ((d - 1) >>> 8)) - 1;
}

function crypto_verify_16(x, xi, y, yi) {
  return vn(x,xi,y,yi,16);
}

function crypto_verify_32(x, xi, y, yi) {
  return vn(x,xi,y,yi,32);
}

function core_salsa20(o, p, k, c) {
  var j0  = c[ 0] & 0xff | (c[ 1] & 0xff)<<8 | (c[ 2] & 0xff)<<16 | (c[ 3] & 0xff)<<24,
      j1  = k[ 0] & 0xff | (k[ 1] & 0xff)<<8 | (k[ 2] & 0xff)<<16 | (k[ 3] & 0xff)<<24,
      j2  = k[ 4] & 0xff | (k[ 5] & 0xff)<<8 | (k[ 6] & 0xff)<<16 | (k[ 7] & 0xff)<<24,
      j3  = k[ 8] & 0xff | (k[ 9] & 0xff)<<8 | (k[10] & 0xff)<<16 | (k[11] & 0xff)<<24,
      j4  = k[12] & 0xff | (k[13] & 0xff)<<8 | (k[14] & 0xff)<<16 | (k[15] & 0xff)<<24,
      j5  = c[ 4] & 0xff | (c[ 5] & 0xff)<<8 | (c[ 6] & 0xff)<<16 | (c[ 7] & 0xff)<<24,
      j6  = p[ 0] & 0xff | (p[ 1] & 0xff)<<8 | (p[ 2] & 0xff)<<16 | (p[ 3] & 0xff)<<24,
      j7  = p[ 4] & 0xff | (p[ 5] & 0xff)<<8 | (p[ 6] & 0xff)<<16 | (p[ 7] & 0xff)<<24,
      j8  = p[ 8] & 0xff | (p[ 9] & 0xff)<<8 | (p[10] & 0xff)<<16 | (p[11] & 0xff)<<24,
      j9  = p[12] & 0xff | (p[13] & 0xff)<<8 | (p[14] & 0xff)<<16 | (p[15] & 0xff)<<24,
      j10 = c[ 8] & 0xff | (c[ 9] & 0xff)<<8 | (c[10] & 0xff)<<16 | (c[11] & 0xff)<<24,
      j11 = k[16] & 0xff | (k[17] & 0xff)<<8 | (k[18] & 0xff)<<16 | (k[19] & 0xff)<<24,
      j12 = k[20] & 0xff | (k[21] & 0xff)<<8 | (k[22] & 0xff)<<16 | (k[23] & 0xff)<<24,
      j13 = k[24] & 0xff | (k[25] & 0xff)<<8 | (k[26] & 0xff)<<16 | (k[27] & 0xff)<<24,
      j14 = k[28] & 0xff | (k[29] & 0xff)<<8 | (k[30] & 0xff)<<16 | (k[31] & 0xff)<<24,
      j15 = c[12] & 0xff | (c[13] & 0xff)<<8 | (c[14] & 0xff)<<16 | (c[15] & 0xff)<<24;

  var x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7,
      x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14,
      x15 = j15, u;

  for (var i = 0; i < 20; i += 2) {
    u = x0 + x12 | 0;
    x4 ^= u<<7 | u>>>(32-7);
    u = x4 + x0 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x4 | 0;
    x12 ^= u<<13 | u>>>(32-13);
    u = x12 + x8 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x1 | 0;
    x9 ^= u<<7 | u>>>(32-7);
    u = x9 + x5 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x9 | 0;
    x1 ^= u<<13 | u>>>(32-13);
    u = x1 + x13 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x6 | 0;
    x14 ^= u<<7 | u>>>(32-7);
    u = x14 + x10 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x14 | 0;
    x6 ^= u<<13 | u>>>(32-13);
    u = x6 + x2 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x11 | 0;
    x3 ^= u<<7 | u>>>(32-7);
    u = x3 + x15 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x3 | 0;
    x11 ^= u<<13 | u>>>(32-13);
    u = x11 + x7 | 0;
    x15 ^= u<<18 | u>>>(32-18);

    u = x0 + x3 | 0;
    x1 ^= u<<7 | u>>>(32-7);
    u = x1 + x0 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x1 | 0;
    x3 ^= u<<13 | u>>>(32-13);
    u = x3 + x2 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x4 | 0;
    x6 ^= u<<7 | u>>>(32-7);
    u = x6 + x5 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x6 | 0;
    x4 ^= u<<13 | u>>>(32-13);
    u = x4 + x7 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x9 | 0;
    x11 ^= u<<7 | u>>>(32-7);
    u = x11 + x10 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x11 | 0;
    x9 ^= u<<13 | u>>>(32-13);
    u = x9 + x8 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x14 | 0;
    x12 ^= u<<7 | u>>>(32-7);
    u = x12 + x15 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x12 | 0;
    x14 ^= u<<13 | u>>>(32-13);
    u = x14 + x13 | 0;
    x15 ^= u<<18 | u>>>(32-18);
  }
   x0 =  x0 +  j0 | 0;
   x1 =  x1 +  j1 | 0;
   x2 =  x2 +  j2 | 0;
   x3 =  x3 +  j3 | 0;
   x4 =  x4 +  j4 | 0;
   x5 =  x5 +  j5 | 0;
   x6 =  x6 +  j6 | 0;
   x7 =  x7 +  j7 | 0;
   x8 =  x8 +  j8 | 0;
   x9 =  x9 +  j9 | 0;
  x10 = x10 + j10 | 0;
  x11 = x11 + j11 | 0;
  x12 = x12 + j12 | 0;
  x13 = x13 + j13 | 0;
  x14 = x14 + j14 | 0;
  x15 = x15 + j15 | 0;

  o[ 0] = x0 >>>  0 & 0xff;
  o[ 1] = x0 >>>  8 & 0xff;
  o[ 2] = x0 >>> 16 & 0xff;
  o[ 3] = x0 >>> 24 & 0xff;

  o[ 4] = x1 >>>  0 & 0xff;
  o[ 5] = x1 >>>  8 & 0xff;
  o[ 6] = x1 >>> 16 & 0xff;
  o[ 7] = x1 >>> 24 & 0xff;

  o[ 8] = x2 >>>  0 & 0xff;
  o[ 9] = x2 >>>  8 & 0xff;
  o[10] = x2 >>> 16 & 0xff;
  o[11] = x2 >>> 24 & 0xff;

  o[12] = x3 >>>  0 & 0xff;
  o[13] = x3 >>>  8 & 0xff;
  o[14] = x3 >>> 16 & 0xff;
  o[15] = x3 >>> 24 & 0xff;

  o[16] = x4 >>>  0 & 0xff;
  o[17] = x4 >>>  8 & 0xff;
  o[18] = x4 >>> 16 & 0xff;
  o[19] = x4 >>> 24 & 0xff;

  o[20] = x5 >>>  0 & 0xff;
  o[21] = x5 >>>  8 & 0xff;
  o[22] = x5 >>> 16 & 0xff;
  o[23] = x5 >>> 24 & 0xff;

  o[24] = x6 >>>  0 & 0xff;
  o[25] = x6 >>>  8 & 0xff;
  o[26] = x6 >>> 16 & 0xff;
  o[27] = x6 >>> 24 & 0xff;

  o[28] = x7 >>>  0 & 0xff;
  o[29] = x7 >>>  8 & 0xff;
  o[30] = x7 >>> 16 & 0xff;
  o[31] = x7 >>> 24 & 0xff;

  o[32] = x8 >>>  0 & 0xff;
  o[33] = x8 >>>  8 & 0xff;
  o[34] = x8 >>> 16 & 0xff;
  o[35] = x8 >>> 24 & 0xff;

  o[36] = x9 >>>  0 & 0xff;
  o[37] = x9 >>>  8 & 0xff;
  o[38] = x9 >>> 16 & 0xff;
  o[39] = x9 >>> 24 & 0xff;

  o[40] = x10 >>>  0 & 0xff;
  o[41] = x10 >>>  8 & 0xff;
  o[42] = x10 >>> 16 & 0xff;
  o[43] = x10 >>> 24 & 0xff;

  o[44] = x11 >>>  0 & 0xff;
  o[45] = x11 >>>  8 & 0xff;
  o[46] = x11 >>> 16 & 0xff;
  o[47] = x11 >>> 24 & 0xff;

  o[48] = x12 >>>  0 & 0xff;
  o[49] = x12 >>>  8 & 0xff;
  o[50] = x12 >>> 16 & 0xff;
  o[51] = x12 >>> 24 & 0xff;

  o[52] = x13 >>>  0 & 0xff;
  o[53] = x13 >>>  8 & 0xff;
  o[54] = x13 >>> 16 & 0xff;
  o[55] = x13 >>> 24 & 0xff;

  o[56] = x14 >>>  0 & 0xff;
  o[57] = x14 >>>  8 & 0xff;
  o[58] = x14 >>> 16 & 0xff;
  o[59] = x14 >>> 24 & 0xff;

  o[60] = x15 >>>  0 & 0xff;
  o[61] = x15 >>>  8 & 0xff;
  o[62] = x15 >>> 16 & 0xff;
  o[63] = x15 >>> 24 & 0xff;
}

function core_hsalsa20(o,p,k,c) {
  var j0  = c[ 0] & 0xff | (c[ 1] & 0xff)<<8 | (c[ 2] & 0xff)<<16 | (c[ 3] & 0xff)<<24,
      j1  = k[ 0] & 0xff | (k[ 1] & 0xff)<<8 | (k[ 2] & 0xff)<<16 | (k[ 3] & 0xff)<<24,
      j2  = k[ 4] & 0xff | (k[ 5] & 0xff)<<8 | (k[ 6] & 0xff)<<16 | (k[ 7] & 0xff)<<24,
      j3  = k[ 8] & 0xff | (k[ 9] & 0xff)<<8 | (k[10] & 0xff)<<16 | (k[11] & 0xff)<<24,
      j4  = k[12] & 0xff | (k[13] & 0xff)<<8 | (k[14] & 0xff)<<16 | (k[15] & 0xff)<<24,
      j5  = c[ 4] & 0xff | (c[ 5] & 0xff)<<8 | (c[ 6] & 0xff)<<16 | (c[ 7] & 0xff)<<24,
      j6  = p[ 0] & 0xff | (p[ 1] & 0xff)<<8 | (p[ 2] & 0xff)<<16 | (p[ 3] & 0xff)<<24,
      j7  = p[ 4] & 0xff | (p[ 5] & 0xff)<<8 | (p[ 6] & 0xff)<<16 | (p[ 7] & 0xff)<<24,
      j8  = p[ 8] & 0xff | (p[ 9] & 0xff)<<8 | (p[10] & 0xff)<<16 | (p[11] & 0xff)<<24,
      j9  = p[12] & 0xff | (p[13] & 0xff)<<8 | (p[14] & 0xff)<<16 | (p[15] & 0xff)<<24,
      j10 = c[ 8] & 0xff | (c[ 9] & 0xff)<<8 | (c[10] & 0xff)<<16 | (c[11] & 0xff)<<24,
      j11 = k[16] & 0xff | (k[17] & 0xff)<<8 | (k[18] & 0xff)<<16 | (k[19] & 0xff)<<24,
      j12 = k[20] & 0xff | (k[21] & 0xff)<<8 | (k[22] & 0xff)<<16 | (k[23] & 0xff)<<24,
      j13 = k[24] & 0xff | (k[25] & 0xff)<<8 | (k[26] & 0xff)<<16 | (k[27] & 0xff)<<24,
      j14 = k[28] & 0xff | (k[29] & 0xff)<<8 | (k[30] & 0xff)<<16 | (k[31] & 0xff)<<24,
      j15 = c[12] & 0xff | (c[13] & 0xff)<<8 | (c[14] & 0xff)<<16 | (c[15] & 0xff)<<24;

  var x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7,
      x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14,
      x15 = j15, u;

  for (var i = 0; i < 20; i += 2) {
    u = x0 + x12 | 0;
    x4 ^= u<<7 | u>>>(32-7);
    u = x4 + x0 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x4 | 0;
    x12 ^= u<<13 | u>>>(32-13);
    u = x12 + x8 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x1 | 0;
    x9 ^= u<<7 | u>>>(32-7);
    u = x9 + x5 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x9 | 0;
    x1 ^= u<<13 | u>>>(32-13);
    u = x1 + x13 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x6 | 0;
    x14 ^= u<<7 | u>>>(32-7);
    u = x14 + x10 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x14 | 0;
    x6 ^= u<<13 | u>>>(32-13);
    u = x6 + x2 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x11 | 0;
    x3 ^= u<<7 | u>>>(32-7);
    u = x3 + x15 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x3 | 0;
    x11 ^= u<<13 | u>>>(32-13);
    u = x11 + x7 | 0;
    x15 ^= u<<18 | u>>>(32-18);

    u = x0 + x3 | 0;
    x1 ^= u<<7 | u>>>(32-7);
    u = x1 + x0 | 0;
    x2 ^= u<<9 | u>>>(32-9);
    u = x2 + x1 | 0;
    x3 ^= u<<13 | u>>>(32-13);
    u = x3 + x2 | 0;
    x0 ^= u<<18 | u>>>(32-18);

    u = x5 + x4 | 0;
    x6 ^= u<<7 | u>>>(32-7);
    u = x6 + x5 | 0;
    x7 ^= u<<9 | u>>>(32-9);
    u = x7 + x6 | 0;
    x4 ^= u<<13 | u>>>(32-13);
    u = x4 + x7 | 0;
    x5 ^= u<<18 | u>>>(32-18);

    u = x10 + x9 | 0;
    x11 ^= u<<7 | u>>>(32-7);
    u = x11 + x10 | 0;
    x8 ^= u<<9 | u>>>(32-9);
    u = x8 + x11 | 0;
    x9 ^= u<<13 | u>>>(32-13);
    u = x9 + x8 | 0;
    x10 ^= u<<18 | u>>>(32-18);

    u = x15 + x14 | 0;
    x12 ^= u<<7 | u>>>(32-7);
    u = x12 + x15 | 0;
    x13 ^= u<<9 | u>>>(32-9);
    u = x13 + x12 | 0;
    x14 ^= u<<13 | u>>>(32-13);
    u = x14 + x13 | 0;
    x15 ^= u<<18 | u>>>(32-18);
  }

  o[ 0] = x0 >>>  0 & 0xff;
  o[ 1] = x0 >>>  8 & 0xff;
  o[ 2] = x0 >>> 16 & 0xff;
  o[ 3] = x0 >>> 24 & 0xff;

  o[ 4] = x5 >>>  0 & 0xff;
  o[ 5] = x5 >>>  8 & 0xff;
  o[ 6] = x5 >>> 16 & 0xff;
  o[ 7] = x5 >>> 24 & 0xff;

  o[ 8] = x10 >>>  0 & 0xff;
  o[ 9] = x10 >>>  8 & 0xff;
  o[10] = x10 >>> 16 & 0xff;
  o[11] = x10 >>> 24 & 0xff;

  o[12] = x15 >>>  0 & 0xff;
  o[13] = x15 >>>  8 & 0xff;
  o[14] = x15 >>> 16 & 0xff;
  o[15] = x15 >>> 24 & 0xff;

  o[16] = x6 >>>  0 & 0xff;
  o[17] = x6 >>>  8 & 0xff;
  o[18] = x6 >>> 16 & 0xff;
  o[19] = x6 >>> 24 & 0xff;

  o[20] = x7 >>>  0 & 0xff;
  o[21] = x7 >>>  8 & 0xff;
  o[22] = x7 >>> 16 & 0xff;
  o[23] = x7 >>> 24 & 0xff;

  o[24] = x8 >>>  0 & 0xff;
  o[25] = x8 >>>  8 & 0xff;
  o[26] = x8 >>> 16 & 0xff;
  o[27] = x8 >>> 24 & 0xff;

  o[28] = x9 >>>  0 & 0xff;
  o[29] = x9 >>>  8 & 0xff;
  o[30] = x9 >>> 16 & 0xff;
  o[31] = x9 >>> 24 & 0xff;
}

function crypto_core_salsa20(out,inp,k,c) {
  core_salsa20(out,inp,k,c);
}

function crypto_core_hsalsa20(out,inp,k,c) {
  core_hsalsa20(out,inp,k,c);
}

var sigma = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45, 98, 121, 116, 101, 32, 107]);
            // "expand 32-byte k"

function crypto_stream_salsa20_xor(c,cpos,m,mpos,b,n,k) {
  var z = new Uint8Array(16), x = new Uint8Array(64);
  var u, i;
  for (i = 0; i < 16; i++) z[i] = 0;
  for (i = 0; i < 8; i++) z[i] = n[i];
  while (b >= 64) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < 64; i++) c[cpos+i] = m[mpos+i] ^ x[i];
    u = 1;
    for (i = 8; i < 16; i++) {
      u = u + (z[i] & 0xff) | 0;
      z[i] = u & 0xff;
      u >>>= 8;
    }
    b -= 64;
    cpos += 64;
    mpos += 64;
  }
  if (b > 0) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < b; i++) c[cpos+i] = m[mpos+i] ^ x[i];
  }
  return 0;
}

function crypto_stream_salsa20(c,cpos,b,n,k) {
  var z = new Uint8Array(16), x = new Uint8Array(64);
  var u, i;
  for (i = 0; i < 16; i++) z[i] = 0;
  for (i = 0; i < 8; i++) z[i] = n[i];
  while (b >= 64) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < 64; i++) c[cpos+i] = x[i];
    u = 1;
    for (i = 8; i < 16; i++) {
      u = u + (z[i] & 0xff) | 0;
      z[i] = u & 0xff;
      u >>>= 8;
    }
    b -= 64;
    cpos += 64;
  }
  if (b > 0) {
    crypto_core_salsa20(x,z,k,sigma);
    for (i = 0; i < b; i++) c[cpos+i] = x[i];
  }
  return 0;
}

function crypto_stream(c,cpos,d,n,k) {
  var s = new Uint8Array(32);
  crypto_core_hsalsa20(s,n,k,sigma);
  var sn = new Uint8Array(8);
  for (var i = 0; i < 8; i++) sn[i] = n[i+16];
  return crypto_stream_salsa20(c,cpos,d,sn,s);
}

function crypto_stream_xor(c,cpos,m,mpos,d,n,k) {
  var s = new Uint8Array(32);
  crypto_core_hsalsa20(s,n,k,sigma);
  var sn = new Uint8Array(8);
  for (var i = 0; i < 8; i++) sn[i] = n[i+16];
  return crypto_stream_salsa20_xor(c,cpos,m,mpos,d,sn,s);
}

/*
* Port of Andrew Moon's Poly1305-donna-16. Public domain.
* https://github.com/floodyberry/poly1305-donna
*/

var poly1305 = function(key) {
  this.buffer = new Uint8Array(16);
  this.r = new Uint16Array(10);
  this.h = new Uint16Array(10);
  this.pad = new Uint16Array(8);
  this.leftover = 0;
  this.fin = 0;

  var t0, t1, t2, t3, t4, t5, t6, t7;

  t0 = key[ 0] & 0xff | (key[ 1] & 0xff) << 8; this.r[0] = ( t0                     ) & 0x1fff;
  t1 = key[ 2] & 0xff | (key[ 3] & 0xff) << 8; this.r[1] = ((t0 >>> 13) | (t1 <<  3)) & 0x1fff;
  t2 = key[ 4] & 0xff | (key[ 5] & 0xff) << 8; this.r[2] = ((t1 >>> 10) | (t2 <<  6)) & 0x1f03;
  t3 = key[ 6] & 0xff | (key[ 7] & 0xff) << 8; this.r[3] = ((t2 >>>  7) | (t3 <<  9)) & 0x1fff;
  t4 = key[ 8] & 0xff | (key[ 9] & 0xff) << 8; this.r[4] = ((t3 >>>  4) | (t4 << 12)) & 0x00ff;
  this.r[5] = ((t4 >>>  1)) & 0x1ffe;
  t5 = key[10] & 0xff | (key[11] & 0xff) << 8; this.r[6] = ((t4 >>> 14) | (t5 <<  2)) & 0x1fff;
  t6 = key[12] & 0xff | (key[13] & 0xff) << 8; this.r[7] = ((t5 >>> 11) | (t6 <<  5)) & 0x1f81;
  t7 = key[14] & 0xff | (key[15] & 0xff) << 8; this.r[8] = ((t6 >>>  8) | (t7 <<  8)) & 0x1fff;
  this.r[9] = ((t7 >>>  5)) & 0x007f;

  this.pad[0] = key[16] & 0xff | (key[17] & 0xff) << 8;
  this.pad[1] = key[18] & 0xff | (key[19] & 0xff) << 8;
  this.pad[2] = key[20] & 0xff | (key[21] & 0xff) << 8;
  this.pad[3] = key[22] & 0xff | (key[23] & 0xff) << 8;
  this.pad[4] = key[24] & 0xff | (key[25] & 0xff) << 8;
  this.pad[5] = key[26] & 0xff | (key[27] & 0xff) << 8;
  this.pad[6] = key[28] & 0xff | (key[29] & 0xff) << 8;
  this.pad[7] = key[30] & 0xff | (key[31] & 0xff) << 8;
};

poly1305.prototype.blocks = function(m, mpos, bytes) {
  var hibit = this.fin ? 0 : (1 << 11);
  var t0, t1, t2, t3, t4, t5, t6, t7, c;
  var d0, d1, d2, d3, d4, d5, d6, d7, d8, d9;

  var h0 = this.h[0],
      h1 = this.h[1],
      h2 = this.h[2],
      h3 = this.h[3],
      h4 = this.h[4],
      h5 = this.h[5],
      h6 = this.h[6],
      h7 = this.h[7],
      h8 = this.h[8],
      h9 = this.h[9];

  var r0 = this.r[0],
      r1 = this.r[1],
      r2 = this.r[2],
      r3 = this.r[3],
      r4 = this.r[4],
      r5 = this.r[5],
      r6 = this.r[6],
      r7 = this.r[7],
      r8 = this.r[8],
      r9 = this.r[9];

  while (bytes >= 16) {
    t0 = m[mpos+ 0] & 0xff | (m[mpos+ 1] & 0xff) << 8; h0 += ( t0                     ) & 0x1fff;
    t1 = m[mpos+ 2] & 0xff | (m[mpos+ 3] & 0xff) << 8; h1 += ((t0 >>> 13) | (t1 <<  3)) & 0x1fff;
    t2 = m[mpos+ 4] & 0xff | (m[mpos+ 5] & 0xff) << 8; h2 += ((t1 >>> 10) | (t2 <<  6)) & 0x1fff;
    t3 = m[mpos+ 6] & 0xff | (m[mpos+ 7] & 0xff) << 8; h3 += ((t2 >>>  7) | (t3 <<  9)) & 0x1fff;
    t4 = m[mpos+ 8] & 0xff | (m[mpos+ 9] & 0xff) << 8; h4 += ((t3 >>>  4) | (t4 << 12)) & 0x1fff;
    h5 += ((t4 >>>  1)) & 0x1fff;
    t5 = m[mpos+10] & 0xff | (m[mpos+11] & 0xff) << 8; h6 += ((t4 >>> 14) | (t5 <<  2)) & 0x1fff;
    t6 = m[mpos+12] & 0xff | (m[mpos+13] & 0xff) << 8; h7 += ((t5 >>> 11) | (t6 <<  5)) & 0x1fff;
    t7 = m[mpos+14] & 0xff | (m[mpos+15] & 0xff) << 8; h8 += ((t6 >>>  8) | (t7 <<  8)) & 0x1fff;
    h9 += ((t7 >>> 5)) | hibit;

    c = 0;

    d0 = c;
    d0 += h0 * r0;
    d0 += h1 * (5 * r9);
    d0 += h2 * (5 * r8);
    d0 += h3 * (5 * r7);
    d0 += h4 * (5 * r6);
    c = (d0 >>> 13); d0 &= 0x1fff;
    d0 += h5 * (5 * r5);
    d0 += h6 * (5 * r4);
    d0 += h7 * (5 * r3);
    d0 += h8 * (5 * r2);
    d0 += h9 * (5 * r1);
    c += (d0 >>> 13); d0 &= 0x1fff;

    d1 = c;
    d1 += h0 * r1;
    d1 += h1 * r0;
    d1 += h2 * (5 * r9);
    d1 += h3 * (5 * r8);
    d1 += h4 * (5 * r7);
    c = (d1 >>> 13); d1 &= 0x1fff;
    d1 += h5 * (5 * r6);
    d1 += h6 * (5 * r5);
    d1 += h7 * (5 * r4);
    d1 += h8 * (5 * r3);
    d1 += h9 * (5 * r2);
    c += (d1 >>> 13); d1 &= 0x1fff;

    d2 = c;
    d2 += h0 * r2;
    d2 += h1 * r1;
    d2 += h2 * r0;
    d2 += h3 * (5 * r9);
    d2 += h4 * (5 * r8);
    c = (d2 >>> 13); d2 &= 0x1fff;
    d2 += h5 * (5 * r7);
    d2 += h6 * (5 * r6);
    d2 += h7 * (5 * r5);
    d2 += h8 * (5 * r4);
    d2 += h9 * (5 * r3);
    c += (d2 >>> 13); d2 &= 0x1fff;

    d3 = c;
    d3 += h0 * r3;
    d3 += h1 * r2;
    d3 += h2 * r1;
    d3 += h3 * r0;
    d3 += h4 * (5 * r9);
    c = (d3 >>> 13); d3 &= 0x1fff;
    d3 += h5 * (5 * r8);
    d3 += h6 * (5 * r7);
    d3 += h7 * (5 * r6);
    d3 += h8 * (5 * r5);
    d3 += h9 * (5 * r4);
    c += (d3 >>> 13); d3 &= 0x1fff;

    d4 = c;
    d4 += h0 * r4;
    d4 += h1 * r3;
    d4 += h2 * r2;
    d4 += h3 * r1;
    d4 += h4 * r0;
    c = (d4 >>> 13); d4 &= 0x1fff;
    d4 += h5 * (5 * r9);
    d4 += h6 * (5 * r8);
    d4 += h7 * (5 * r7);
    d4 += h8 * (5 * r6);
    d4 += h9 * (5 * r5);
    c += (d4 >>> 13); d4 &= 0x1fff;

    d5 = c;
    d5 += h0 * r5;
    d5 += h1 * r4;
    d5 += h2 * r3;
    d5 += h3 * r2;
    d5 += h4 * r1;
    c = (d5 >>> 13); d5 &= 0x1fff;
    d5 += h5 * r0;
    d5 += h6 * (5 * r9);
    d5 += h7 * (5 * r8);
    d5 += h8 * (5 * r7);
    d5 += h9 * (5 * r6);
    c += (d5 >>> 13); d5 &= 0x1fff;

    d6 = c;
    d6 += h0 * r6;
    d6 += h1 * r5;
    d6 += h2 * r4;
    d6 += h3 * r3;
    d6 += h4 * r2;
    c = (d6 >>> 13); d6 &= 0x1fff;
    d6 += h5 * r1;
    d6 += h6 * r0;
    d6 += h7 * (5 * r9);
    d6 += h8 * (5 * r8);
    d6 += h9 * (5 * r7);
    c += (d6 >>> 13); d6 &= 0x1fff;

    d7 = c;
    d7 += h0 * r7;
    d7 += h1 * r6;
    d7 += h2 * r5;
    d7 += h3 * r4;
    d7 += h4 * r3;
    c = (d7 >>> 13); d7 &= 0x1fff;
    d7 += h5 * r2;
    d7 += h6 * r1;
    d7 += h7 * r0;
    d7 += h8 * (5 * r9);
    d7 += h9 * (5 * r8);
    c += (d7 >>> 13); d7 &= 0x1fff;

    d8 = c;
    d8 += h0 * r8;
    d8 += h1 * r7;
    d8 += h2 * r6;
    d8 += h3 * r5;
    d8 += h4 * r4;
    c = (d8 >>> 13); d8 &= 0x1fff;
    d8 += h5 * r3;
    d8 += h6 * r2;
    d8 += h7 * r1;
    d8 += h8 * r0;
    d8 += h9 * (5 * r9);
    c += (d8 >>> 13); d8 &= 0x1fff;

    d9 = c;
    d9 += h0 * r9;
    d9 += h1 * r8;
    d9 += h2 * r7;
    d9 += h3 * r6;
    d9 += h4 * r5;
    c = (d9 >>> 13); d9 &= 0x1fff;
    d9 += h5 * r4;
    d9 += h6 * r3;
    d9 += h7 * r2;
    d9 += h8 * r1;
    d9 += h9 * r0;
    c += (d9 >>> 13); d9 &= 0x1fff;

    c = (((c << 2) + c)) | 0;
    c = (c + d0) | 0;
    d0 = c & 0x1fff;
    c = (c >>> 13);
    d1 += c;

    h0 = d0;
    h1 = d1;
    h2 = d2;
    h3 = d3;
    h4 = d4;
    h5 = d5;
    h6 = d6;
    h7 = d7;
    h8 = d8;
    h9 = d9;

    mpos += 16;
    bytes -= 16;
  }
  this.h[0] = h0;
  this.h[1] = h1;
  this.h[2] = h2;
  this.h[3] = h3;
  this.h[4] = h4;
  this.h[5] = h5;
  this.h[6] = h6;
  this.h[7] = h7;
  this.h[8] = h8;
  this.h[9] = h9;
};

poly1305.prototype.finish = function(mac, macpos) {
  var g = new Uint16Array(10);
  var c, mask, f, i;

  if (this.leftover) {
    i = this.leftover;
    this.buffer[i++] = 1;
    for (; i < 16; i++) this.buffer[i] = 0;
    this.fin = 1;
    this.blocks(this.buffer, 0, 16);
  }

  c = this.h[1] >>> 13;
  this.h[1] &= 0x1fff;
  for (i = 2; i < 10; i++) {
    this.h[i] += c;
    c = this.h[i] >>> 13;
    this.h[i] &= 0x1fff;
  }
  this.h[0] += (c * 5);
  c = this.h[0] >>> 13;
  this.h[0] &= 0x1fff;
  this.h[1] += c;
  c = this.h[1] >>> 13;
  this.h[1] &= 0x1fff;
  this.h[2] += c;

  g[0] = this.h[0] + 5;
  c = g[0] >>> 13;
  g[0] &= 0x1fff;
  for (i = 1; i < 10; i++) {
    g[i] = this.h[i] + c;
    c = g[i] >>> 13;
    g[i] &= 0x1fff;
  }
  g[9] -= (1 << 13);

  mask = (c ^ 1) - 1;
  for (i = 0; i < 10; i++) g[i] &= mask;
  mask = ~mask;
  for (i = 0; i < 10; i++) this.h[i] = (this.h[i] & mask) | g[i];

  this.h[0] = ((this.h[0]       ) | (this.h[1] << 13)                    ) & 0xffff;
  this.h[1] = ((this.h[1] >>>  3) | (this.h[2] << 10)                    ) & 0xffff;
  this.h[2] = ((this.h[2] >>>  6) | (this.h[3] <<  7)                    ) & 0xffff;
  this.h[3] = ((this.h[3] >>>  9) | (this.h[4] <<  4)                    ) & 0xffff;
  this.h[4] = ((this.h[4] >>> 12) | (this.h[5] <<  1) | (this.h[6] << 14)) & 0xffff;
  this.h[5] = ((this.h[6] >>>  2) | (this.h[7] << 11)                    ) & 0xffff;
  this.h[6] = ((this.h[7] >>>  5) | (this.h[8] <<  8)                    ) & 0xffff;
  this.h[7] = ((this.h[8] >>>  8) | (this.h[9] <<  5)                    ) & 0xffff;

  f = this.h[0] + this.pad[0];
  this.h[0] = f & 0xffff;
  for (i = 1; i < 8; i++) {
    f = (((this.h[i] + this.pad[i]) | 0) + (f >>> 16)) | 0;
    this.h[i] = f & 0xffff;
  }

  mac[macpos+ 0] = (this.h[0] >>> 0) & 0xff;
  mac[macpos+ 1] = (this.h[0] >>> 8) & 0xff;
  mac[macpos+ 2] = (this.h[1] >>> 0) & 0xff;
  mac[macpos+ 3] = (this.h[1] >>> 8) & 0xff;
  mac[macpos+ 4] = (this.h[2] >>> 0) & 0xff;
  mac[macpos+ 5] = (this.h[2] >>> 8) & 0xff;
  mac[macpos+ 6] = (this.h[3] >>> 0) & 0xff;
  mac[macpos+ 7] = (this.h[3] >>> 8) & 0xff;
  mac[macpos+ 8] = (this.h[4] >>> 0) & 0xff;
  mac[macpos+ 9] = (this.h[4] >>> 8) & 0xff;
  mac[macpos+10] = (this.h[5] >>> 0) & 0xff;
  mac[macpos+11] = (this.h[5] >>> 8) & 0xff;
  mac[macpos+12] = (this.h[6] >>> 0) & 0xff;
  mac[macpos+13] = (this.h[6] >>> 8) & 0xff;
  mac[macpos+14] = (this.h[7] >>> 0) & 0xff;
  mac[macpos+15] = (this.h[7] >>> 8) & 0xff;
};

poly1305.prototype.update = function(m, mpos, bytes) {
  var i, want;

  if (this.leftover) {
    want = (16 - this.leftover);
    if (want > bytes)
      want = bytes;
    for (i = 0; i < want; i++)
      this.buffer[this.leftover + i] = m[mpos+i];
    bytes -= want;
    mpos += want;
    this.leftover += want;
    if (this.leftover < 16)
      return;
    this.blocks(this.buffer, 0, 16);
    this.leftover = 0;
  }

  if (bytes >= 16) {
    want = bytes - (bytes % 16);
    this.blocks(m, mpos, want);
    mpos += want;
    bytes -= want;
  }

  if (bytes) {
    for (i = 0; i < bytes; i++)
      this.buffer[this.leftover + i] = m[mpos+i];
    this.leftover += bytes;
  }
};

function crypto_onetimeauth(out, outpos, m, mpos, n, k) {
  var s = new poly1305(k);
  s.update(m, mpos, n);
  s.finish(out, outpos);
  return 0;
}

function crypto_onetimeauth_verify(h, hpos, m, mpos, n, k) {
  var x = new Uint8Array(16);
  crypto_onetimeauth(x,0,m,mpos,n,k);
  return crypto_verify_16(h,hpos,x,0);
}

function crypto_secretbox(c,m,d,n,k) {
  var i;
  if (d < 32) return -1;
  crypto_stream_xor(c,0,m,0,d,n,k);
  crypto_onetimeauth(c, 16, c, 32, d - 32, c);
  for (i = 0; i < 16; i++) c[i] = 0;
  return 0;
}

function crypto_secretbox_open(m,c,d,n,k) {
  var i;
  var x = new Uint8Array(32);
  if (d < 32) return -1;
  crypto_stream(x,0,32,n,k);
  if (crypto_onetimeauth_verify(c, 16,c, 32,d - 32,x) !== 0) return -1;
  crypto_stream_xor(m,0,c,0,d,n,k);
  for (i = 0; i < 32; i++) m[i] = 0;
  return 0;
}

function set25519(r, a) {
  var i;
  for (i = 0; i < 16; i++) r[i] = a[i]|0;
}

function car25519(o) {
  var i, v, c = 1;
  for (i = 0; i < 16; i++) {
    v = o[i] + c + 65535;
    c = Math.floor(v / 65536);
    o[i] = v - c * 65536;
  }
  o[0] += c-1 + 37 * (c-1);
}

function sel25519(p, q, b) {
  var t, c = ~(b-1);
  for (var i = 0; i < 16; i++) {
    t = c & (p[i] ^ q[i]);
    p[i] ^= t;
    q[i] ^= t;
  }
}

function pack25519(o, n) {
  var i, j, b;
  var m = gf(), t = gf();
  for (i = 0; i < 16; i++) t[i] = n[i];
  car25519(t);
  car25519(t);
  car25519(t);
  for (j = 0; j < 2; j++) {
    m[0] = t[0] - 0xffed;
    for (i = 1; i < 15; i++) {
      m[i] = t[i] - 0xffff - ((m[i-1]>>16) & 1);
      m[i-1] &= 0xffff;
    }
    m[15] = t[15] - 0x7fff - ((m[14]>>16) & 1);
    b = (m[15]>>16) & 1;
    m[14] &= 0xffff;
    sel25519(t, m, 1-b);
  }
  for (i = 0; i < 16; i++) {
    o[2*i] = t[i] & 0xff;
    o[2*i+1] = t[i]>>8;
  }
}

function neq25519(a, b) {
  var c = new Uint8Array(32), d = new Uint8Array(32);
  pack25519(c, a);
  pack25519(d, b);
  return crypto_verify_32(c, 0, d, 0);
}

function par25519(a) {
  var d = new Uint8Array(32);
  pack25519(d, a);
  return d[0] & 1;
}

function unpack25519(o, n) {
  var i;
  for (i = 0; i < 16; i++) o[i] = n[2*i] + (n[2*i+1] << 8);
  o[15] &= 0x7fff;
}

function A(o, a, b) {
  for (var i = 0; i < 16; i++) o[i] = a[i] + b[i];
}

function Z(o, a, b) {
  for (var i = 0; i < 16; i++) o[i] = a[i] - b[i];
}

function M(o, a, b) {
  var v, c,
     t0 = 0,  t1 = 0,  t2 = 0,  t3 = 0,  t4 = 0,  t5 = 0,  t6 = 0,  t7 = 0,
     t8 = 0,  t9 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0, t14 = 0, t15 = 0,
    t16 = 0, t17 = 0, t18 = 0, t19 = 0, t20 = 0, t21 = 0, t22 = 0, t23 = 0,
    t24 = 0, t25 = 0, t26 = 0, t27 = 0, t28 = 0, t29 = 0, t30 = 0,
    b0 = b[0],
    b1 = b[1],
    b2 = b[2],
    b3 = b[3],
    b4 = b[4],
    b5 = b[5],
    b6 = b[6],
    b7 = b[7],
    b8 = b[8],
    b9 = b[9],
    b10 = b[10],
    b11 = b[11],
    b12 = b[12],
    b13 = b[13],
    b14 = b[14],
    b15 = b[15];

  v = a[0];
  t0 += v * b0;
  t1 += v * b1;
  t2 += v * b2;
  t3 += v * b3;
  t4 += v * b4;
  t5 += v * b5;
  t6 += v * b6;
  t7 += v * b7;
  t8 += v * b8;
  t9 += v * b9;
  t10 += v * b10;
  t11 += v * b11;
  t12 += v * b12;
  t13 += v * b13;
  t14 += v * b14;
  t15 += v * b15;
  v = a[1];
  t1 += v * b0;
  t2 += v * b1;
  t3 += v * b2;
  t4 += v * b3;
  t5 += v * b4;
  t6 += v * b5;
  t7 += v * b6;
  t8 += v * b7;
  t9 += v * b8;
  t10 += v * b9;
  t11 += v * b10;
  t12 += v * b11;
  t13 += v * b12;
  t14 += v * b13;
  t15 += v * b14;
  t16 += v * b15;
  v = a[2];
  t2 += v * b0;
  t3 += v * b1;
  t4 += v * b2;
  t5 += v * b3;
  t6 += v * b4;
  t7 += v * b5;
  t8 += v * b6;
  t9 += v * b7;
  t10 += v * b8;
  t11 += v * b9;
  t12 += v * b10;
  t13 += v * b11;
  t14 += v * b12;
  t15 += v * b13;
  t16 += v * b14;
  t17 += v * b15;
  v = a[3];
  t3 += v * b0;
  t4 += v * b1;
  t5 += v * b2;
  t6 += v * b3;
  t7 += v * b4;
  t8 += v * b5;
  t9 += v * b6;
  t10 += v * b7;
  t11 += v * b8;
  t12 += v * b9;
  t13 += v * b10;
  t14 += v * b11;
  t15 += v * b12;
  t16 += v * b13;
  t17 += v * b14;
  t18 += v * b15;
  v = a[4];
  t4 += v * b0;
  t5 += v * b1;
  t6 += v * b2;
  t7 += v * b3;
  t8 += v * b4;
  t9 += v * b5;
  t10 += v * b6;
  t11 += v * b7;
  t12 += v * b8;
  t13 += v * b9;
  t14 += v * b10;
  t15 += v * b11;
  t16 += v * b12;
  t17 += v * b13;
  t18 += v * b14;
  t19 += v * b15;
  v = a[5];
  t5 += v * b0;
  t6 += v * b1;
  t7 += v * b2;
  t8 += v * b3;
  t9 += v * b4;
  t10 += v * b5;
  t11 += v * b6;
  t12 += v * b7;
  t13 += v * b8;
  t14 += v * b9;
  t15 += v * b10;
  t16 += v * b11;
  t17 += v * b12;
  t18 += v * b13;
  t19 += v * b14;
  t20 += v * b15;
  v = a[6];
  t6 += v * b0;
  t7 += v * b1;
  t8 += v * b2;
  t9 += v * b3;
  t10 += v * b4;
  t11 += v * b5;
  t12 += v * b6;
  t13 += v * b7;
  t14 += v * b8;
  t15 += v * b9;
  t16 += v * b10;
  t17 += v * b11;
  t18 += v * b12;
  t19 += v * b13;
  t20 += v * b14;
  t21 += v * b15;
  v = a[7];
  t7 += v * b0;
  t8 += v * b1;
  t9 += v * b2;
  t10 += v * b3;
  t11 += v * b4;
  t12 += v * b5;
  t13 += v * b6;
  t14 += v * b7;
  t15 += v * b8;
  t16 += v * b9;
  t17 += v * b10;
  t18 += v * b11;
  t19 += v * b12;
  t20 += v * b13;
  t21 += v * b14;
  t22 += v * b15;
  v = a[8];
  t8 += v * b0;
  t9 += v * b1;
  t10 += v * b2;
  t11 += v * b3;
  t12 += v * b4;
  t13 += v * b5;
  t14 += v * b6;
  t15 += v * b7;
  t16 += v * b8;
  t17 += v * b9;
  t18 += v * b10;
  t19 += v * b11;
  t20 += v * b12;
  t21 += v * b13;
  t22 += v * b14;
  t23 += v * b15;
  v = a[9];
  t9 += v * b0;
  t10 += v * b1;
  t11 += v * b2;
  t12 += v * b3;
  t13 += v * b4;
  t14 += v * b5;
  t15 += v * b6;
  t16 += v * b7;
  t17 += v * b8;
  t18 += v * b9;
  t19 += v * b10;
  t20 += v * b11;
  t21 += v * b12;
  t22 += v * b13;
  t23 += v * b14;
  t24 += v * b15;
  v = a[10];
  t10 += v * b0;
  t11 += v * b1;
  t12 += v * b2;
  t13 += v * b3;
  t14 += v * b4;
  t15 += v * b5;
  t16 += v * b6;
  t17 += v * b7;
  t18 += v * b8;
  t19 += v * b9;
  t20 += v * b10;
  t21 += v * b11;
  t22 += v * b12;
  t23 += v * b13;
  t24 += v * b14;
  t25 += v * b15;
  v = a[11];
  t11 += v * b0;
  t12 += v * b1;
  t13 += v * b2;
  t14 += v * b3;
  t15 += v * b4;
  t16 += v * b5;
  t17 += v * b6;
  t18 += v * b7;
  t19 += v * b8;
  t20 += v * b9;
  t21 += v * b10;
  t22 += v * b11;
  t23 += v * b12;
  t24 += v * b13;
  t25 += v * b14;
  t26 += v * b15;
  v = a[12];
  t12 += v * b0;
  t13 += v * b1;
  t14 += v * b2;
  t15 += v * b3;
  t16 += v * b4;
  t17 += v * b5;
  t18 += v * b6;
  t19 += v * b7;
  t20 += v * b8;
  t21 += v * b9;
  t22 += v * b10;
  t23 += v * b11;
  t24 += v * b12;
  t25 += v * b13;
  t26 += v * b14;
  t27 += v * b15;
  v = a[13];
  t13 += v * b0;
  t14 += v * b1;
  t15 += v * b2;
  t16 += v * b3;
  t17 += v * b4;
  t18 += v * b5;
  t19 += v * b6;
  t20 += v * b7;
  t21 += v * b8;
  t22 += v * b9;
  t23 += v * b10;
  t24 += v * b11;
  t25 += v * b12;
  t26 += v * b13;
  t27 += v * b14;
  t28 += v * b15;
  v = a[14];
  t14 += v * b0;
  t15 += v * b1;
  t16 += v * b2;
  t17 += v * b3;
  t18 += v * b4;
  t19 += v * b5;
  t20 += v * b6;
  t21 += v * b7;
  t22 += v * b8;
  t23 += v * b9;
  t24 += v * b10;
  t25 += v * b11;
  t26 += v * b12;
  t27 += v * b13;
  t28 += v * b14;
  t29 += v * b15;
  v = a[15];
  t15 += v * b0;
  t16 += v * b1;
  t17 += v * b2;
  t18 += v * b3;
  t19 += v * b4;
  t20 += v * b5;
  t21 += v * b6;
  t22 += v * b7;
  t23 += v * b8;
  t24 += v * b9;
  t25 += v * b10;
  t26 += v * b11;
  t27 += v * b12;
  t28 += v * b13;
  t29 += v * b14;
  t30 += v * b15;

  t0  += 38 * t16;
  t1  += 38 * t17;
  t2  += 38 * t18;
  t3  += 38 * t19;
  t4  += 38 * t20;
  t5  += 38 * t21;
  t6  += 38 * t22;
  t7  += 38 * t23;
  t8  += 38 * t24;
  t9  += 38 * t25;
  t10 += 38 * t26;
  t11 += 38 * t27;
  t12 += 38 * t28;
  t13 += 38 * t29;
  t14 += 38 * t30;
  // t15 left as is

  // first car
  c = 1;
  v =  t0 + c + 65535; c = Math.floor(v / 65536);  t0 = v - c * 65536;
  v =  t1 + c + 65535; c = Math.floor(v / 65536);  t1 = v - c * 65536;
  v =  t2 + c + 65535; c = Math.floor(v / 65536);  t2 = v - c * 65536;
  v =  t3 + c + 65535; c = Math.floor(v / 65536);  t3 = v - c * 65536;
  v =  t4 + c + 65535; c = Math.floor(v / 65536);  t4 = v - c * 65536;
  v =  t5 + c + 65535; c = Math.floor(v / 65536);  t5 = v - c * 65536;
  v =  t6 + c + 65535; c = Math.floor(v / 65536);  t6 = v - c * 65536;
  v =  t7 + c + 65535; c = Math.floor(v / 65536);  t7 = v - c * 65536;
  v =  t8 + c + 65535; c = Math.floor(v / 65536);  t8 = v - c * 65536;
  v =  t9 + c + 65535; c = Math.floor(v / 65536);  t9 = v - c * 65536;
  v = t10 + c + 65535; c = Math.floor(v / 65536); t10 = v - c * 65536;
  v = t11 + c + 65535; c = Math.floor(v / 65536); t11 = v - c * 65536;
  v = t12 + c + 65535; c = Math.floor(v / 65536); t12 = v - c * 65536;
  v = t13 + c + 65535; c = Math.floor(v / 65536); t13 = v - c * 65536;
  v = t14 + c + 65535; c = Math.floor(v / 65536); t14 = v - c * 65536;
  v = t15 + c + 65535; c = Math.floor(v / 65536); t15 = v - c * 65536;
  t0 += c-1 + 37 * (c-1);

  // second car
  c = 1;
  v =  t0 + c + 65535; c = Math.floor(v / 65536);  t0 = v - c * 65536;
  v =  t1 + c + 65535; c = Math.floor(v / 65536);  t1 = v - c * 65536;
  v =  t2 + c + 65535; c = Math.floor(v / 65536);  t2 = v - c * 65536;
  v =  t3 + c + 65535; c = Math.floor(v / 65536);  t3 = v - c * 65536;
  v =  t4 + c + 65535; c = Math.floor(v / 65536);  t4 = v - c * 65536;
  v =  t5 + c + 65535; c = Math.floor(v / 65536);  t5 = v - c * 65536;
  v =  t6 + c + 65535; c = Math.floor(v / 65536);  t6 = v - c * 65536;
  v =  t7 + c + 65535; c = Math.floor(v / 65536);  t7 = v - c * 65536;
  v =  t8 + c + 65535; c = Math.floor(v / 65536);  t8 = v - c * 65536;
  v =  t9 + c + 65535; c = Math.floor(v / 65536);  t9 = v - c * 65536;
  v = t10 + c + 65535; c = Math.floor(v / 65536); t10 = v - c * 65536;
  v = t11 + c + 65535; c = Math.floor(v / 65536); t11 = v - c * 65536;
  v = t12 + c + 65535; c = Math.floor(v / 65536); t12 = v - c * 65536;
  v = t13 + c + 65535; c = Math.floor(v / 65536); t13 = v - c * 65536;
  v = t14 + c + 65535; c = Math.floor(v / 65536); t14 = v - c * 65536;
  v = t15 + c + 65535; c = Math.floor(v / 65536); t15 = v - c * 65536;
  t0 += c-1 + 37 * (c-1);

  o[ 0] = t0;
  o[ 1] = t1;
  o[ 2] = t2;
  o[ 3] = t3;
  o[ 4] = t4;
  o[ 5] = t5;
  o[ 6] = t6;
  o[ 7] = t7;
  o[ 8] = t8;
  o[ 9] = t9;
  o[10] = t10;
  o[11] = t11;
  o[12] = t12;
  o[13] = t13;
  o[14] = t14;
  o[15] = t15;
}

function S(o, a) {
  M(o, a, a);
}

function inv25519(o, i) {
  var c = gf();
  var a;
  for (a = 0; a < 16; a++) c[a] = i[a];
  for (a = 253; a >= 0; a--) {
    S(c, c);
    if(a !== 2 && a !== 4) M(c, c, i);
  }
  for (a = 0; a < 16; a++) o[a] = c[a];
}

function pow2523(o, i) {
  var c = gf();
  var a;
  for (a = 0; a < 16; a++) c[a] = i[a];
  for (a = 250; a >= 0; a--) {
      S(c, c);
      if(a !== 1) M(c, c, i);
  }
  for (a = 0; a < 16; a++) o[a] = c[a];
}

function crypto_scalarmult(q, n, p) {
  var z = new Uint8Array(32);
  var x = new Float64Array(80), r, i;
  var a = gf(), b = gf(), c = gf(),
      d = gf(), e = gf(), f = gf();
  for (i = 0; i < 31; i++) z[i] = n[i];
  z[31]=(n[31]&127)|64;
  z[0]&=248;
  unpack25519(x,p);
  for (i = 0; i < 16; i++) {
    b[i]=x[i];
    d[i]=a[i]=c[i]=0;
  }
  a[0]=d[0]=1;
  for (i=254; i>=0; --i) {
    r=(z[i>>>3]>>>(i&7))&1;
    sel25519(a,b,r);
    sel25519(c,d,r);
    A(e,a,c);
    Z(a,a,c);
    A(c,b,d);
    Z(b,b,d);
    S(d,e);
    S(f,a);
    M(a,c,a);
    M(c,b,e);
    A(e,a,c);
    Z(a,a,c);
    S(b,a);
    Z(c,d,f);
    M(a,c,_121665);
    A(a,a,d);
    M(c,c,a);
    M(a,d,f);
    M(d,b,x);
    S(b,e);
    sel25519(a,b,r);
    sel25519(c,d,r);
  }
  for (i = 0; i < 16; i++) {
    x[i+16]=a[i];
    x[i+32]=c[i];
    x[i+48]=b[i];
    x[i+64]=d[i];
  }
  var x32 = x.subarray(32);
  var x16 = x.subarray(16);
  inv25519(x32,x32);
  M(x16,x16,x32);
  pack25519(q,x16);
  return 0;
}

function crypto_scalarmult_base(q, n) {
  return crypto_scalarmult(q, n, _9);
}

function crypto_box_keypair(y, x) {
  randombytes(x, 32);
  return crypto_scalarmult_base(y, x);
}

function crypto_box_beforenm(k, y, x) {
  var s = new Uint8Array(32);
  crypto_scalarmult(s, x, y);
  return crypto_core_hsalsa20(k, _0, s, sigma);
}

var crypto_box_afternm = crypto_secretbox;
var crypto_box_open_afternm = crypto_secretbox_open;

function crypto_box(c, m, d, n, y, x) {
  var k = new Uint8Array(32);
  crypto_box_beforenm(k, y, x);
  return crypto_box_afternm(c, m, d, n, k);
}

function crypto_box_open(m, c, d, n, y, x) {
  var k = new Uint8Array(32);
  crypto_box_beforenm(k, y, x);
  return crypto_box_open_afternm(m, c, d, n, k);
}

var K = [
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd,
  0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019,
  0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe,
  0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1,
  0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3,
  0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483,
  0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210,
  0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725,
  0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926,
  0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8,
  0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001,
  0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910,
  0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53,
  0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb,
  0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60,
  0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9,
  0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207,
  0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6,
  0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493,
  0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a,
  0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817
];

function crypto_hashblocks_hl(hh, hl, m, n) {
  var wh = new Int32Array(16), wl = new Int32Array(16),
      bh0, bh1, bh2, bh3, bh4, bh5, bh6, bh7,
      bl0, bl1, bl2, bl3, bl4, bl5, bl6, bl7,
      th, tl, i, j, h, l, a, b, c, d;

  var ah0 = hh[0],
      ah1 = hh[1],
      ah2 = hh[2],
      ah3 = hh[3],
      ah4 = hh[4],
      ah5 = hh[5],
      ah6 = hh[6],
      ah7 = hh[7],

      al0 = hl[0],
      al1 = hl[1],
      al2 = hl[2],
      al3 = hl[3],
      al4 = hl[4],
      al5 = hl[5],
      al6 = hl[6],
      al7 = hl[7];

  var pos = 0;
  while (n >= 128) {
    for (i = 0; i < 16; i++) {
      j = 8 * i + pos;
      wh[i] = (m[j+0] << 24) | (m[j+1] << 16) | (m[j+2] << 8) | m[j+3];
      wl[i] = (m[j+4] << 24) | (m[j+5] << 16) | (m[j+6] << 8) | m[j+7];
    }
    for (i = 0; i < 80; i++) {
      bh0 = ah0;
      bh1 = ah1;
      bh2 = ah2;
      bh3 = ah3;
      bh4 = ah4;
      bh5 = ah5;
      bh6 = ah6;
      bh7 = ah7;

      bl0 = al0;
      bl1 = al1;
      bl2 = al2;
      bl3 = al3;
      bl4 = al4;
      bl5 = al5;
      bl6 = al6;
      bl7 = al7;

      // add
      h = ah7;
      l = al7;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      // Sigma1
      h = ((ah4 >>> 14) | (al4 << (32-14))) ^ ((ah4 >>> 18) | (al4 << (32-18))) ^ ((al4 >>> (41-32)) | (ah4 << (32-(41-32))));
      l = ((al4 >>> 14) | (ah4 << (32-14))) ^ ((al4 >>> 18) | (ah4 << (32-18))) ^ ((ah4 >>> (41-32)) | (al4 << (32-(41-32))));

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // Ch
      h = (ah4 & ah5) ^ (~ah4 & ah6);
      l = (al4 & al5) ^ (~al4 & al6);

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // K
      h = K[i*2];
      l = K[i*2+1];

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // w
      h = wh[i%16];
      l = wl[i%16];

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      th = c & 0xffff | d << 16;
      tl = a & 0xffff | b << 16;

      // add
      h = th;
      l = tl;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      // Sigma0
      h = ((ah0 >>> 28) | (al0 << (32-28))) ^ ((al0 >>> (34-32)) | (ah0 << (32-(34-32)))) ^ ((al0 >>> (39-32)) | (ah0 << (32-(39-32))));
      l = ((al0 >>> 28) | (ah0 << (32-28))) ^ ((ah0 >>> (34-32)) | (al0 << (32-(34-32)))) ^ ((ah0 >>> (39-32)) | (al0 << (32-(39-32))));

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      // Maj
      h = (ah0 & ah1) ^ (ah0 & ah2) ^ (ah1 & ah2);
      l = (al0 & al1) ^ (al0 & al2) ^ (al1 & al2);

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      bh7 = (c & 0xffff) | (d << 16);
      bl7 = (a & 0xffff) | (b << 16);

      // add
      h = bh3;
      l = bl3;

      a = l & 0xffff; b = l >>> 16;
      c = h & 0xffff; d = h >>> 16;

      h = th;
      l = tl;

      a += l & 0xffff; b += l >>> 16;
      c += h & 0xffff; d += h >>> 16;

      b += a >>> 16;
      c += b >>> 16;
      d += c >>> 16;

      bh3 = (c & 0xffff) | (d << 16);
      bl3 = (a & 0xffff) | (b << 16);

      ah1 = bh0;
      ah2 = bh1;
      ah3 = bh2;
      ah4 = bh3;
      ah5 = bh4;
      ah6 = bh5;
      ah7 = bh6;
      ah0 = bh7;

      al1 = bl0;
      al2 = bl1;
      al3 = bl2;
      al4 = bl3;
      al5 = bl4;
      al6 = bl5;
      al7 = bl6;
      al0 = bl7;

      if (i%16 === 15) {
        for (j = 0; j < 16; j++) {
          // add
          h = wh[j];
          l = wl[j];

          a = l & 0xffff; b = l >>> 16;
          c = h & 0xffff; d = h >>> 16;

          h = wh[(j+9)%16];
          l = wl[(j+9)%16];

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          // sigma0
          th = wh[(j+1)%16];
          tl = wl[(j+1)%16];
          h = ((th >>> 1) | (tl << (32-1))) ^ ((th >>> 8) | (tl << (32-8))) ^ (th >>> 7);
          l = ((tl >>> 1) | (th << (32-1))) ^ ((tl >>> 8) | (th << (32-8))) ^ ((tl >>> 7) | (th << (32-7)));

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          // sigma1
          th = wh[(j+14)%16];
          tl = wl[(j+14)%16];
          h = ((th >>> 19) | (tl << (32-19))) ^ ((tl >>> (61-32)) | (th << (32-(61-32)))) ^ (th >>> 6);
          l = ((tl >>> 19) | (th << (32-19))) ^ ((th >>> (61-32)) | (tl << (32-(61-32)))) ^ ((tl >>> 6) | (th << (32-6)));

          a += l & 0xffff; b += l >>> 16;
          c += h & 0xffff; d += h >>> 16;

          b += a >>> 16;
          c += b >>> 16;
          d += c >>> 16;

          wh[j] = (c & 0xffff) | (d << 16);
          wl[j] = (a & 0xffff) | (b << 16);
        }
      }
    }

    // add
    h = ah0;
    l = al0;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[0];
    l = hl[0];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[0] = ah0 = (c & 0xffff) | (d << 16);
    hl[0] = al0 = (a & 0xffff) | (b << 16);

    h = ah1;
    l = al1;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[1];
    l = hl[1];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[1] = ah1 = (c & 0xffff) | (d << 16);
    hl[1] = al1 = (a & 0xffff) | (b << 16);

    h = ah2;
    l = al2;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[2];
    l = hl[2];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[2] = ah2 = (c & 0xffff) | (d << 16);
    hl[2] = al2 = (a & 0xffff) | (b << 16);

    h = ah3;
    l = al3;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[3];
    l = hl[3];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[3] = ah3 = (c & 0xffff) | (d << 16);
    hl[3] = al3 = (a & 0xffff) | (b << 16);

    h = ah4;
    l = al4;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[4];
    l = hl[4];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[4] = ah4 = (c & 0xffff) | (d << 16);
    hl[4] = al4 = (a & 0xffff) | (b << 16);

    h = ah5;
    l = al5;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[5];
    l = hl[5];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[5] = ah5 = (c & 0xffff) | (d << 16);
    hl[5] = al5 = (a & 0xffff) | (b << 16);

    h = ah6;
    l = al6;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[6];
    l = hl[6];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[6] = ah6 = (c & 0xffff) | (d << 16);
    hl[6] = al6 = (a & 0xffff) | (b << 16);

    h = ah7;
    l = al7;

    a = l & 0xffff; b = l >>> 16;
    c = h & 0xffff; d = h >>> 16;

    h = hh[7];
    l = hl[7];

    a += l & 0xffff; b += l >>> 16;
    c += h & 0xffff; d += h >>> 16;

    b += a >>> 16;
    c += b >>> 16;
    d += c >>> 16;

    hh[7] = ah7 = (c & 0xffff) | (d << 16);
    hl[7] = al7 = (a & 0xffff) | (b << 16);

    pos += 128;
    n -= 128;
  }

  return n;
}

function crypto_hash(out, m, n) {
  var hh = new Int32Array(8),
      hl = new Int32Array(8),
      x = new Uint8Array(256),
      i, b = n;

  hh[0] = 0x6a09e667;
  hh[1] = 0xbb67ae85;
  hh[2] = 0x3c6ef372;
  hh[3] = 0xa54ff53a;
  hh[4] = 0x510e527f;
  hh[5] = 0x9b05688c;
  hh[6] = 0x1f83d9ab;
  hh[7] = 0x5be0cd19;

  hl[0] = 0xf3bcc908;
  hl[1] = 0x84caa73b;
  hl[2] = 0xfe94f82b;
  hl[3] = 0x5f1d36f1;
  hl[4] = 0xade682d1;
  hl[5] = 0x2b3e6c1f;
  hl[6] = 0xfb41bd6b;
  hl[7] = 0x137e2179;

  crypto_hashblocks_hl(hh, hl, m, n);
  n %= 128;

  for (i = 0; i < n; i++) x[i] = m[b-n+i];
  x[n] = 128;

  n = 256-128*(n<112?1:0);
  x[n-9] = 0;
  ts64(x, n-8,  (b / 0x20000000) | 0, b << 3);
  crypto_hashblocks_hl(hh, hl, x, n);

  for (i = 0; i < 8; i++) ts64(out, 8*i, hh[i], hl[i]);

  return 0;
}

function add(p, q) {
  var a = gf(), b = gf(), c = gf(),
      d = gf(), e = gf(), f = gf(),
      g = gf(), h = gf(), t = gf();

  Z(a, p[1], p[0]);
  Z(t, q[1], q[0]);
  M(a, a, t);
  A(b, p[0], p[1]);
  A(t, q[0], q[1]);
  M(b, b, t);
  M(c, p[3], q[3]);
  M(c, c, D2);
  M(d, p[2], q[2]);
  A(d, d, d);
  Z(e, b, a);
  Z(f, d, c);
  A(g, d, c);
  A(h, b, a);

  M(p[0], e, f);
  M(p[1], h, g);
  M(p[2], g, f);
  M(p[3], e, h);
}

function cswap(p, q, b) {
  var i;
  for (i = 0; i < 4; i++) {
    sel25519(p[i], q[i], b);
  }
}

function pack(r, p) {
  var tx = gf(), ty = gf(), zi = gf();
  inv25519(zi, p[2]);
  M(tx, p[0], zi);
  M(ty, p[1], zi);
  pack25519(r, ty);
  r[31] ^= par25519(tx) << 7;
}

function scalarmult(p, q, s) {
  var b, i;
  set25519(p[0], gf0);
  set25519(p[1], gf1);
  set25519(p[2], gf1);
  set25519(p[3], gf0);
  for (i = 255; i >= 0; --i) {
    b = (s[(i/8)|0] >> (i&7)) & 1;
    cswap(p, q, b);
    add(q, p);
    add(p, p);
    cswap(p, q, b);
  }
}

function scalarbase(p, s) {
  var q = [gf(), gf(), gf(), gf()];
  set25519(q[0], X);
  set25519(q[1], Y);
  set25519(q[2], gf1);
  M(q[3], X, Y);
  scalarmult(p, q, s);
}

function crypto_sign_keypair(pk, sk, seeded) {
  var d = new Uint8Array(64);
  var p = [gf(), gf(), gf(), gf()];
  var i;

  if (!seeded) randombytes(sk, 32);
  crypto_hash(d, sk, 32);
  d[0] &= 248;
  d[31] &= 127;
  d[31] |= 64;

  scalarbase(p, d);
  pack(pk, p);

  for (i = 0; i < 32; i++) sk[i+32] = pk[i];
  return 0;
}

var L = new Float64Array([0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]);

function modL(r, x) {
  var carry, i, j, k;
  for (i = 63; i >= 32; --i) {
    carry = 0;
    for (j = i - 32, k = i - 12; j < k; ++j) {
      x[j] += carry - 16 * x[i] * L[j - (i - 32)];
      carry = Math.floor((x[j] + 128) / 256);
      x[j] -= carry * 256;
    }
    x[j] += carry;
    x[i] = 0;
  }
  carry = 0;
  for (j = 0; j < 32; j++) {
    x[j] += carry - (x[31] >> 4) * L[j];
    carry = x[j] >> 8;
    x[j] &= 255;
  }
  for (j = 0; j < 32; j++) x[j] -= carry * L[j];
  for (i = 0; i < 32; i++) {
    x[i+1] += x[i] >> 8;
    r[i] = x[i] & 255;
  }
}

function reduce(r) {
  var x = new Float64Array(64), i;
  for (i = 0; i < 64; i++) x[i] = r[i];
  for (i = 0; i < 64; i++) r[i] = 0;
  modL(r, x);
}

// Note: difference from C - smlen returned, not passed as argument.
function crypto_sign(sm, m, n, sk) {
  var d = new Uint8Array(64), h = new Uint8Array(64), r = new Uint8Array(64);
  var i, j, x = new Float64Array(64);
  var p = [gf(), gf(), gf(), gf()];

  crypto_hash(d, sk, 32);
  d[0] &= 248;
  d[31] &= 127;
  d[31] |= 64;

  var smlen = n + 64;
  for (i = 0; i < n; i++) sm[64 + i] = m[i];
  for (i = 0; i < 32; i++) sm[32 + i] = d[32 + i];

  crypto_hash(r, sm.subarray(32), n+32);
  reduce(r);
  scalarbase(p, r);
  pack(sm, p);

  for (i = 32; i < 64; i++) sm[i] = sk[i];
  crypto_hash(h, sm, n + 64);
  reduce(h);

  for (i = 0; i < 64; i++) x[i] = 0;
  for (i = 0; i < 32; i++) x[i] = r[i];
  for (i = 0; i < 32; i++) {
    for (j = 0; j < 32; j++) {
      x[i+j] += h[i] * d[j];
    }
  }

  modL(sm.subarray(32), x);
  return smlen;
}

function unpackneg(r, p) {
  var t = gf(), chk = gf(), num = gf(),
      den = gf(), den2 = gf(), den4 = gf(),
      den6 = gf();

  set25519(r[2], gf1);
  unpack25519(r[1], p);
  S(num, r[1]);
  M(den, num, D);
  Z(num, num, r[2]);
  A(den, r[2], den);

  S(den2, den);
  S(den4, den2);
  M(den6, den4, den2);
  M(t, den6, num);
  M(t, t, den);

  pow2523(t, t);
  M(t, t, num);
  M(t, t, den);
  M(t, t, den);
  M(r[0], t, den);

  S(chk, r[0]);
  M(chk, chk, den);
  if (neq25519(chk, num)) M(r[0], r[0], I);

  S(chk, r[0]);
  M(chk, chk, den);
  if (neq25519(chk, num)) return -1;

  if (par25519(r[0]) === (p[31]>>7)) Z(r[0], gf0, r[0]);

  M(r[3], r[0], r[1]);
  return 0;
}

function crypto_sign_open(m, sm, n, pk) {
  var i;
  var t = new Uint8Array(32), h = new Uint8Array(64);
  var p = [gf(), gf(), gf(), gf()],
      q = [gf(), gf(), gf(), gf()];

  if (n < 64) return -1;

  if (unpackneg(q, pk)) return -1;

  for (i = 0; i < n; i++) m[i] = sm[i];
  for (i = 0; i < 32; i++) m[i+32] = pk[i];
  crypto_hash(h, m, n);
  reduce(h);
  scalarmult(p, q, h);

  scalarbase(q, sm.subarray(32));
  add(p, q);
  pack(t, p);

  n -= 64;
  if (crypto_verify_32(sm, 0, t, 0)) {
    for (i = 0; i < n; i++) m[i] = 0;
    return -1;
  }

  for (i = 0; i < n; i++) m[i] = sm[i + 64];
  return n;
}

var crypto_secretbox_KEYBYTES = 32,
    crypto_secretbox_NONCEBYTES = 24,
    crypto_secretbox_ZEROBYTES = 32,
    crypto_secretbox_BOXZEROBYTES = 16,
    crypto_scalarmult_BYTES = 32,
    crypto_scalarmult_SCALARBYTES = 32,
    crypto_box_PUBLICKEYBYTES = 32,
    crypto_box_SECRETKEYBYTES = 32,
    crypto_box_BEFORENMBYTES = 32,
    crypto_box_NONCEBYTES = crypto_secretbox_NONCEBYTES,
    crypto_box_ZEROBYTES = crypto_secretbox_ZEROBYTES,
    crypto_box_BOXZEROBYTES = crypto_secretbox_BOXZEROBYTES,
    crypto_sign_BYTES = 64,
    crypto_sign_PUBLICKEYBYTES = 32,
    crypto_sign_SECRETKEYBYTES = 64,
    crypto_sign_SEEDBYTES = 32,
    crypto_hash_BYTES = 64;

nacl.lowlevel = {
  crypto_core_hsalsa20: crypto_core_hsalsa20,
  crypto_stream_xor: crypto_stream_xor,
  crypto_stream: crypto_stream,
  crypto_stream_salsa20_xor: crypto_stream_salsa20_xor,
  crypto_stream_salsa20: crypto_stream_salsa20,
  crypto_onetimeauth: crypto_onetimeauth,
  crypto_onetimeauth_verify: crypto_onetimeauth_verify,
  crypto_verify_16: crypto_verify_16,
  crypto_verify_32: crypto_verify_32,
  crypto_secretbox: crypto_secretbox,
  crypto_secretbox_open: crypto_secretbox_open,
  crypto_scalarmult: crypto_scalarmult,
  crypto_scalarmult_base: crypto_scalarmult_base,
  crypto_box_beforenm: crypto_box_beforenm,
  crypto_box_afternm: crypto_box_afternm,
  crypto_box: crypto_box,
  crypto_box_open: crypto_box_open,
  crypto_box_keypair: crypto_box_keypair,
  crypto_hash: crypto_hash,
  crypto_sign: crypto_sign,
  crypto_sign_keypair: crypto_sign_keypair,
  crypto_sign_open: crypto_sign_open,

  crypto_secretbox_KEYBYTES: crypto_secretbox_KEYBYTES,
  crypto_secretbox_NONCEBYTES: crypto_secretbox_NONCEBYTES,
  crypto_secretbox_ZEROBYTES: crypto_secretbox_ZEROBYTES,
  crypto_secretbox_BOXZEROBYTES: crypto_secretbox_BOXZEROBYTES,
  crypto_scalarmult_BYTES: crypto_scalarmult_BYTES,
  crypto_scalarmult_SCALARBYTES: crypto_scalarmult_SCALARBYTES,
  crypto_box_PUBLICKEYBYTES: crypto_box_PUBLICKEYBYTES,
  crypto_box_SECRETKEYBYTES: crypto_box_SECRETKEYBYTES,
  crypto_box_BEFORENMBYTES: crypto_box_BEFORENMBYTES,
  crypto_box_NONCEBYTES: crypto_box_NONCEBYTES,
  crypto_box_ZEROBYTES: crypto_box_ZEROBYTES,
  crypto_box_BOXZEROBYTES: crypto_box_BOXZEROBYTES,
  crypto_sign_BYTES: crypto_sign_BYTES,
  crypto_sign_PUBLICKEYBYTES: crypto_sign_PUBLICKEYBYTES,
  crypto_sign_SECRETKEYBYTES: crypto_sign_SECRETKEYBYTES,
  crypto_sign_SEEDBYTES: crypto_sign_SEEDBYTES,
  crypto_hash_BYTES: crypto_hash_BYTES,

  gf: gf,
  D: D,
  L: L,
  pack25519: pack25519,
  unpack25519: unpack25519,
  M: M,
  A: A,
  S: S,
  Z: Z,
  pow2523: pow2523,
  add: add,
  set25519: set25519,
  modL: modL,
  scalarmult: scalarmult,
  scalarbase: scalarbase,
};

/* High-level API */

function checkLengths(k, n) {
  if (k.length !== crypto_secretbox_KEYBYTES) throw new Error('bad key size');
  if (n.length !== crypto_secretbox_NONCEBYTES) throw new Error('bad nonce size');
}

function checkBoxLengths(pk, sk) {
  if (pk.length !== crypto_box_PUBLICKEYBYTES) throw new Error('bad public key size');
  if (sk.length !== crypto_box_SECRETKEYBYTES) throw new Error('bad secret key size');
}

function checkArrayTypes() {
  for (var i = 0; i < arguments.length; i++) {
    if (!(arguments[i] instanceof Uint8Array))
      throw new TypeError('unexpected type, use Uint8Array');
  }
}

function cleanup(arr) {
  for (var i = 0; i < arr.length; i++) arr[i] = 0;
}

nacl.randomBytes = function(n) {
  var b = new Uint8Array(n);
  randombytes(b, n);
  return b;
};

nacl.secretbox = function(msg, nonce, key) {
  checkArrayTypes(msg, nonce, key);
  checkLengths(key, nonce);
  var m = new Uint8Array(crypto_secretbox_ZEROBYTES + msg.length);
  var c = new Uint8Array(m.length);
  for (var i = 0; i < msg.length; i++) m[i+crypto_secretbox_ZEROBYTES] = msg[i];
  crypto_secretbox(c, m, m.length, nonce, key);
  return c.subarray(crypto_secretbox_BOXZEROBYTES);
};

nacl.secretbox.open = function(box, nonce, key) {
  checkArrayTypes(box, nonce, key);
  checkLengths(key, nonce);
  var c = new Uint8Array(crypto_secretbox_BOXZEROBYTES + box.length);
  var m = new Uint8Array(c.length);
  for (var i = 0; i < box.length; i++) c[i+crypto_secretbox_BOXZEROBYTES] = box[i];
  if (c.length < 32) return null;
  if (crypto_secretbox_open(m, c, c.length, nonce, key) !== 0) return null;
  return m.subarray(crypto_secretbox_ZEROBYTES);
};

nacl.secretbox.keyLength = crypto_secretbox_KEYBYTES;
nacl.secretbox.nonceLength = crypto_secretbox_NONCEBYTES;
nacl.secretbox.overheadLength = crypto_secretbox_BOXZEROBYTES;

nacl.scalarMult = function(n, p) {
  checkArrayTypes(n, p);
  if (n.length !== crypto_scalarmult_SCALARBYTES) throw new Error('bad n size');
  if (p.length !== crypto_scalarmult_BYTES) throw new Error('bad p size');
  var q = new Uint8Array(crypto_scalarmult_BYTES);
  crypto_scalarmult(q, n, p);
  return q;
};

nacl.scalarMult.base = function(n) {
  checkArrayTypes(n);
  if (n.length !== crypto_scalarmult_SCALARBYTES) throw new Error('bad n size');
  var q = new Uint8Array(crypto_scalarmult_BYTES);
  crypto_scalarmult_base(q, n);
  return q;
};

nacl.scalarMult.scalarLength = crypto_scalarmult_SCALARBYTES;
nacl.scalarMult.groupElementLength = crypto_scalarmult_BYTES;

nacl.box = function(msg, nonce, publicKey, secretKey) {
  var k = nacl.box.before(publicKey, secretKey);
  return nacl.secretbox(msg, nonce, k);
};

nacl.box.before = function(publicKey, secretKey) {
  checkArrayTypes(publicKey, secretKey);
  checkBoxLengths(publicKey, secretKey);
  var k = new Uint8Array(crypto_box_BEFORENMBYTES);
  crypto_box_beforenm(k, publicKey, secretKey);
  return k;
};

nacl.box.after = nacl.secretbox;

nacl.box.open = function(msg, nonce, publicKey, secretKey) {
  var k = nacl.box.before(publicKey, secretKey);
  return nacl.secretbox.open(msg, nonce, k);
};

nacl.box.open.after = nacl.secretbox.open;

nacl.box.keyPair = function() {
  var pk = new Uint8Array(crypto_box_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(pk, sk);
  return {publicKey: pk, secretKey: sk};
};

nacl.box.keyPair.fromSecretKey = function(secretKey) {
  checkArrayTypes(secretKey);
  if (secretKey.length !== crypto_box_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var pk = new Uint8Array(crypto_box_PUBLICKEYBYTES);
  crypto_scalarmult_base(pk, secretKey);
  return {publicKey: pk, secretKey: new Uint8Array(secretKey)};
};

nacl.box.publicKeyLength = crypto_box_PUBLICKEYBYTES;
nacl.box.secretKeyLength = crypto_box_SECRETKEYBYTES;
nacl.box.sharedKeyLength = crypto_box_BEFORENMBYTES;
nacl.box.nonceLength = crypto_box_NONCEBYTES;
nacl.box.overheadLength = nacl.secretbox.overheadLength;

nacl.sign = function(msg, secretKey) {
  checkArrayTypes(msg, secretKey);
  if (secretKey.length !== crypto_sign_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var signedMsg = new Uint8Array(crypto_sign_BYTES+msg.length);
  crypto_sign(signedMsg, msg, msg.length, secretKey);
  return signedMsg;
};

nacl.sign.open = function(signedMsg, publicKey) {
  checkArrayTypes(signedMsg, publicKey);
  if (publicKey.length !== crypto_sign_PUBLICKEYBYTES)
    throw new Error('bad public key size');
  var tmp = new Uint8Array(signedMsg.length);
  var mlen = crypto_sign_open(tmp, signedMsg, signedMsg.length, publicKey);
  if (mlen < 0) return null;
  var m = new Uint8Array(mlen);
  for (var i = 0; i < m.length; i++) m[i] = tmp[i];
  return m;
};

nacl.sign.detached = function(msg, secretKey) {
  var signedMsg = nacl.sign(msg, secretKey);
  var sig = new Uint8Array(crypto_sign_BYTES);
  for (var i = 0; i < sig.length; i++) sig[i] = signedMsg[i];
  return sig;
};

nacl.sign.detached.verify = function(msg, sig, publicKey) {
  checkArrayTypes(msg, sig, publicKey);
  if (sig.length !== crypto_sign_BYTES)
    throw new Error('bad signature size');
  if (publicKey.length !== crypto_sign_PUBLICKEYBYTES)
    throw new Error('bad public key size');
  var sm = new Uint8Array(crypto_sign_BYTES + msg.length);
  var m = new Uint8Array(crypto_sign_BYTES + msg.length);
  var i;
  for (i = 0; i < crypto_sign_BYTES; i++) sm[i] = sig[i];
  for (i = 0; i < msg.length; i++) sm[i+crypto_sign_BYTES] = msg[i];
  return (crypto_sign_open(m, sm, sm.length, publicKey) >= 0);
};

nacl.sign.keyPair = function() {
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk, sk);
  return {publicKey: pk, secretKey: sk};
};

nacl.sign.keyPair.fromSecretKey = function(secretKey) {
  checkArrayTypes(secretKey);
  if (secretKey.length !== crypto_sign_SECRETKEYBYTES)
    throw new Error('bad secret key size');
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  for (var i = 0; i < pk.length; i++) pk[i] = secretKey[32+i];
  return {publicKey: pk, secretKey: new Uint8Array(secretKey)};
};

nacl.sign.keyPair.fromSeed = function(seed) {
  checkArrayTypes(seed);
  if (seed.length !== crypto_sign_SEEDBYTES)
    throw new Error('bad seed size');
  var pk = new Uint8Array(crypto_sign_PUBLICKEYBYTES);
  var sk = new Uint8Array(crypto_sign_SECRETKEYBYTES);
  for (var i = 0; i < 32; i++) sk[i] = seed[i];
  crypto_sign_keypair(pk, sk, true);
  return {publicKey: pk, secretKey: sk};
};

nacl.sign.publicKeyLength = crypto_sign_PUBLICKEYBYTES;
nacl.sign.secretKeyLength = crypto_sign_SECRETKEYBYTES;
nacl.sign.seedLength = crypto_sign_SEEDBYTES;
nacl.sign.signatureLength = crypto_sign_BYTES;

nacl.hash = function(msg) {
  checkArrayTypes(msg);
  var h = new Uint8Array(crypto_hash_BYTES);
  crypto_hash(h, msg, msg.length);
  return h;
};

nacl.hash.hashLength = crypto_hash_BYTES;

nacl.verify = function(x, y) {
  checkArrayTypes(x, y);
  // Zero length arguments are considered not equal.
  if (x.length === 0 || y.length === 0) return false;
  if (x.length !== y.length) return false;
  return (vn(x, 0, y, 0, x.length) === 0) ? true : false;
};

nacl.setPRNG = function(fn) {
  randombytes = fn;
};

(function() {
  // Initialize PRNG if environment provides CSPRNG.
  // If not, methods calling randombytes will throw.
  var crypto = typeof self !== 'undefined' ? (self.crypto || self.msCrypto) : null;
  if (crypto && crypto.getRandomValues) {
    // Browsers.
    var QUOTA = 65536;
    nacl.setPRNG(function(x, n) {
      var i, v = new Uint8Array(n);
      for (i = 0; i < n; i += QUOTA) {
        crypto.getRandomValues(v.subarray(i, i + Math.min(n - i, QUOTA)));
      }
      for (i = 0; i < n; i++) x[i] = v[i];
      cleanup(v);
    });
  } else if (true) {
    // Node.js.
    crypto = __nccwpck_require__(76982);
    if (crypto && crypto.randomBytes) {
      nacl.setPRNG(function(x, n) {
        var i, v = crypto.randomBytes(n);
        for (i = 0; i < n; i++) x[i] = v[i];
        cleanup(v);
      });
    }
  }
})();

})( true && module.exports ? module.exports : (self.nacl = self.nacl || {}));


/***/ }),

/***/ 95581:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(57975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(83916);
/* harmony import */ var _front_end__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(27844);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(56958);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(68825);
/* harmony import */ var _oci_reference__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(62148);
/* harmony import */ var _pipeline_run__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(16839);
/* harmony import */ var _report_summary__WEBPACK_IMPORTED_MODULE_14__ = __nccwpck_require__(57994);
/* harmony import */ var _registry_keychain__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(68886);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(55342);
/* harmony import */ var _sign_keys__WEBPACK_IMPORTED_MODULE_12__ = __nccwpck_require__(82821);
/* harmony import */ var _util_log__WEBPACK_IMPORTED_MODULE_13__ = __nccwpck_require__(29906);















const usage = `Usage:
  imprint build --image REPOSITORY --layers SOURCE:DESTINATION [options]
  imprint generate-key-pair [--output-key-prefix cosign]
  imprint verify --key cosign.pub [--type sbom|provenance] IMAGE@DIGEST
  imprint verify --certificate-identity URI [--certificate-oidc-issuer URL]
                 [--trusted-root trusted_root.json] [--type sbom|provenance] IMAGE@DIGEST

build: builds an OCI image without a Docker daemon. Options have the names of the action's
inputs; list options may be repeated or hold newline-separated items.

  --image REPOSITORY            target repository, e.g. ghcr.io/acme/api (repeat for several)
  --base REFERENCE | scratch    base image (default: cgr.dev/chainguard/static:latest)
  --layers SOURCE:DEST          one layer per occurrence, in order
  --exclude PATTERN             repeatable; .dockerignore patterns left out of directory layers
                                (relative to each SOURCE; a SOURCE/.imprintignore adds its own)
  --platforms LIST              e.g. linux/amd64,linux/arm64 or all
  --entrypoint, --cmd           JSON array or a space-separated string
  --env, --labels, --annotations KEY=VALUE (repeatable)
  --workdir, --user             image config settings
  --tags TEMPLATE               repeatable; placeholders {{sha}} {{short_sha}} {{branch}} {{pr}}
                                {{run_number}} {{date}} {{base_digest}} {{version}} {{major}} {{minor}} {{patch}}
  --push true|false             push to the registry (default here: false)
  --oci-layout DIR              write an OCI image layout (default here: out/oci when not pushing)
  --load true                   load the image into Docker (or Podman where Docker does not answer)
                                under its tags, so \`docker run REPOSITORY:TAG\` runs it
  --working-directory DIR       where SOURCE paths are resolved (default: .)
  --source-date-epoch SECONDS   the image's created time (default: HEAD's commit time)
  --file-mtime TIME|source-date file times in the layers (default: 2000-01-01T00:00:00Z)
  --allow-tag-overwrite true    let a tag move to a different digest
  --layer-owner root|user|UID:GID  owner of the files in the built layers (default: root)
  --sign auto|key|keyless|none  sign after pushing (auto: with a key, or keyless with $SIGSTORE_ID_TOKEN)
  --signing-key FILE            PEM or cosign-encrypted private key
  --sign-recursive true         also sign each platform manifest of an index
  --manifests GLOB              manifest files to pin to the new digest (see the README for the rest)
  --username, --insecure-registries
  --json                        print the metadata JSON instead of the digest
  --verbose                     debug logging

generate-key-pair: writes PREFIX.key (cosign-encrypted, ECDSA P-256) and PREFIX.pub.
verify: checks the legacy .sig and the cosign v3 bundle signatures of IMAGE@DIGEST with a key,
or keyless as cosign does: each certificate must chain to a Fulcio CA of the trusted root, carry
an SCT of its CT log, have its signature in its Rekor log, and name exactly the identity (e.g. the
workflow URI) and the OIDC issuer.
  --certificate-oidc-issuer URL  default: https://token.actions.githubusercontent.com
  --trusted-root FILE            a Sigstore trusted_root.json (a private instance, or a newer
                                 public-good root); default: the public-good root built in
With --type, prints the verified SBOM or provenance statement (from a bundle referrer or the .att
tag) instead.

Secrets come from the environment, never the command line: the registry password from
$IMPRINT_PASSWORD, the key password from $IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD).
build prints the digest on stdout; progress, and what was pushed or written, goes to stderr.
Every input of the action is an option of build (--NAME VALUE); see the README's input table.`;
/** `verify --type`: the predicate types each name stands for (or a predicate type itself). */
const attestationTypes = {
    sbom: ['https://cyclonedx.org/bom', 'https://spdx.dev/Document'],
    provenance: ['https://slsa.dev/provenance/']
};
const keyPassword = () => process.env.IMPRINT_KEY_PASSWORD ?? process.env.COSIGN_PASSWORD ?? '';
function fail(error, verbose) {
    for (const message of (0,_front_end__WEBPACK_IMPORTED_MODULE_5__/* .failureMessages */ .T)(error, 'cli')) {
        process.stderr.write(`error: ${message}\n`);
    }
    if (verbose && error instanceof Error)
        process.stderr.write(`${error.stack}\n`);
    return 1;
}
async function build(rest) {
    const optionNames = _inputs__WEBPACK_IMPORTED_MODULE_6__/* .inputNames */ .vj.filter(n => !['password', 'github-token', 'signing-key-password'].includes(n));
    let values;
    try {
        values = (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({
            args: rest,
            options: {
                ...Object.fromEntries(optionNames.map(name => [name, { type: 'string', multiple: true }])),
                json: { type: 'boolean' },
                verbose: { type: 'boolean' }
            },
            allowPositionals: false
        }).values;
    }
    catch (error) {
        process.stderr.write(`imprint: ${error.message}\n\n${usage}\n`);
        return 2;
    }
    const given = (name) => {
        const v = values[name];
        return Array.isArray(v) ? v.join('\n') : '';
    };
    const pushGiven = given('push');
    const cliDefaults = {
        push: 'false',
        // The action keeps the pull request comment; a command line in the same job must not race it.
        comment: 'false',
        'oci-layout': pushGiven === '' || pushGiven === 'false' ? 'out/oci' : ''
    };
    const verbose = values.verbose === true;
    const log = (0,_util_log__WEBPACK_IMPORTED_MODULE_13__/* .consoleLogger */ .k)(verbose);
    try {
        const keyFile = given('signing-key');
        let keyPem = keyFile;
        if (keyFile && !keyFile.includes('-----BEGIN')) {
            try {
                keyPem = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(keyFile, 'utf8');
            }
            catch (error) {
                throw new _errors__WEBPACK_IMPORTED_MODULE_4__/* .InputError */ .dz('signing-key', `cannot read the key file "${keyFile}" (${error.code ?? error.message})`);
            }
        }
        const inputs = (0,_inputs__WEBPACK_IMPORTED_MODULE_6__/* .parseInputs */ .TL)(name => {
            if (name === 'password')
                return process.env.IMPRINT_PASSWORD ?? '';
            if (name === 'github-token')
                return process.env.GITHUB_TOKEN ?? '';
            if (name === 'signing-key-password')
                return keyPassword();
            if (name === 'signing-key')
                return keyPem;
            return given(name) || (cliDefaults[name] ?? '');
        }, process.env);
        const result = await (0,_pipeline_run__WEBPACK_IMPORTED_MODULE_9__/* .runPipeline */ .a)(inputs, {
            log,
            env: process.env,
            execArgv: process.execArgv,
            workspace: process.cwd(),
            tempDir: (0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)()
        });
        process.stdout.write(values.json
            ? `${JSON.stringify((0,_report_summary__WEBPACK_IMPORTED_MODULE_14__/* .metadataOf */ .Nk)(result), null, 2)}\n`
            : `${result.digest}\n`);
        // What was made, for people (stdout carries only the digest, for scripts).
        if (result.pushed) {
            for (const image of result.images)
                log.info(`pushed ${image}`);
            for (const tag of result.tags)
                log.info(`tagged ${tag}`);
        }
        if (result.ociLayout) {
            const tag = result.tags[0]?.split(':').pop();
            log.info(`written to the OCI layout ${result.ociLayout}${tag ? ` as ${tag}` : ''}; look at it with: skopeo inspect oci:${result.ociLayout}${tag ? `:${tag}` : ''}  (or: umoci ls --layout ${result.ociLayout})`);
        }
        return 0;
    }
    catch (error) {
        return fail(error, verbose);
    }
}
function generateKeyPairCommand(rest) {
    const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({
        args: rest,
        options: { 'output-key-prefix': { type: 'string', default: 'cosign' } }
    });
    const prefix = values['output-key-prefix'];
    for (const file of [`${prefix}.key`, `${prefix}.pub`]) {
        if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(file)) {
            process.stderr.write(`error: ${file} exists; not overwriting it\n`);
            return 1;
        }
    }
    const password = keyPassword();
    if (password === '') {
        process.stderr.write('warning: $IMPRINT_KEY_PASSWORD is empty: the key is encrypted with an empty password\n');
    }
    const pair = (0,_sign_keys__WEBPACK_IMPORTED_MODULE_12__/* .generateKeyPair */ .TZ)(password);
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(`${prefix}.key`, pair.privateKeyPem, { mode: 0o600 });
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(`${prefix}.pub`, pair.publicKeyPem);
    process.stderr.write(`Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n`);
    return 0;
}
function keylessDescription(trust, trustedRoot) {
    return `the identity ${trust.identity} from the issuer ${trust.issuer} (trusted root: ${trustedRoot ?? 'Sigstore public-good, built in'})`;
}
async function verifyCommand(rest) {
    const { values, positionals } = (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({
        args: rest,
        options: {
            key: { type: 'string' },
            'certificate-identity': { type: 'string' },
            'certificate-oidc-issuer': { type: 'string' },
            'trusted-root': { type: 'string' },
            type: { type: 'string' },
            username: { type: 'string' },
            'insecure-registries': { type: 'string', multiple: true }
        },
        allowPositionals: true
    });
    if ((!values.key && !values['certificate-identity']) ||
        positionals.length !== 1) {
        process.stderr.write(`imprint: verify needs --key or --certificate-identity, and one IMAGE@DIGEST\n\n${usage}\n`);
        return 2;
    }
    if (values.key &&
        (values['certificate-identity'] || values['trusted-root'])) {
        process.stderr.write(`imprint: verify takes --key or --certificate-identity (with --trusted-root), not both\n\n${usage}\n`);
        return 2;
    }
    try {
        // Verification (sigstore-js) is loaded by this command only, not by every start of the CLI.
        const [{ githubActionsIssuer, keyHint, verifyImageSignatures }, { publicGoodTrustedRoot, readTrustedRoot, trustMaterialFrom }] = await Promise.all([
            Promise.all(/* import() */[__nccwpck_require__.e(187), __nccwpck_require__.e(132)]).then(__nccwpck_require__.bind(__nccwpck_require__, 72132)),
            Promise.all(/* import() */[__nccwpck_require__.e(187), __nccwpck_require__.e(903)]).then(__nccwpck_require__.bind(__nccwpck_require__, 21903))
        ]);
        // A key, or (keyless) the identity and issuer the certificates must name, and the trusted
        // root (Fulcio, CT log, Rekor) that must vouch for them.
        const trust = values.key
            ? (0,node_crypto__WEBPACK_IMPORTED_MODULE_3__.createPublicKey)((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(values.key, 'utf8'))
            : {
                identity: values['certificate-identity'],
                issuer: values['certificate-oidc-issuer'] ?? githubActionsIssuer,
                trustedRoot: values['trusted-root']
                    ? readTrustedRoot(values['trusted-root'])
                    : trustMaterialFrom(publicGoodTrustedRoot)
            };
        const reference = (0,_oci_reference__WEBPACK_IMPORTED_MODULE_8__/* .parseReference */ .F2)(positionals[0]);
        const repo = reference.repository;
        const password = process.env.IMPRINT_PASSWORD;
        const client = new _registry_client__WEBPACK_IMPORTED_MODULE_11__/* .RegistryClient */ .b(repo.registry, {
            keychain: (0,_registry_keychain__WEBPACK_IMPORTED_MODULE_10__/* .defaultKeychain */ .I)({
                explicit: values.username && password
                    ? { registry: repo.registry, username: values.username, password }
                    : undefined,
                repositories: [repo],
                env: process.env
            }),
            insecureRegistries: (values['insecure-registries'] ?? []).map(h => _oci_reference__WEBPACK_IMPORTED_MODULE_8__/* .Registry */ .OR.parse(h).name),
            log: (0,_util_log__WEBPACK_IMPORTED_MODULE_13__/* .consoleLogger */ .k)(false)
        });
        let digest = reference.digest;
        if (!digest) {
            const resolved = await client.resolveTag(repo, reference.identifier);
            if (!resolved || !(0,_oci_digest__WEBPACK_IMPORTED_MODULE_7__/* .isDigest */ .Bc)(resolved))
                throw new Error(`${reference} does not exist in the registry`);
            process.stderr.write(`warning: verifying ${reference} by tag; it resolves to ${resolved} now\n`);
            digest = resolved;
        }
        else if (!(await client.findManifest(repo, digest))) {
            throw new Error(`${repo}@${digest} does not exist in the registry`);
        }
        const report = await verifyImageSignatures(client, repo, digest, trust);
        const counted = (what, { verified, total, predicateTypes }) => `  ${what}: ${verified} of ${total} verified` +
            (predicateTypes.length ? ` (${predicateTypes.join(', ')})` : '') +
            '\n';
        // With --type, stdout carries the statement alone (for jq or a policy engine); the counts go to stderr.
        const out = values.type ? process.stderr : process.stdout;
        out.write(`${repo}@${digest}\n` +
            `  legacy .sig (cosign v2, containers/image): ${report.legacy.verified} of ${report.legacy.total} verified\n` +
            counted('bundle referrers (cosign v3)', report.bundles) +
            (report.attestations.total
                ? counted('legacy .att (cosign v2)', report.attestations)
                : ''));
        if (values.type) {
            // The verified statement of that kind, for a reader or a policy: on stdout, whole.
            const wanted = attestationTypes[values.type] ?? [values.type];
            const statement = report.statements.find(s => wanted.some(t => s.predicateType.startsWith(t)));
            if (!statement) {
                process.stderr.write(`error: no ${values.type} attestation of ${repo}@${digest} verifies with ${trust instanceof node_crypto__WEBPACK_IMPORTED_MODULE_3__.KeyObject ? `the key ${values.key}` : keylessDescription(trust, values['trusted-root'])}${report.statements.length ? ` (verified: ${[...new Set(report.statements.map(s => s.predicateType))].join(', ')})` : ''}\n`);
                return 1;
            }
            process.stdout.write(`${JSON.stringify(statement.statement, null, 2)}\n`);
            return 0;
        }
        const found = report.legacy.total + report.bundles.total;
        const against = trust instanceof node_crypto__WEBPACK_IMPORTED_MODULE_3__.KeyObject
            ? `the key ${values.key} (hint ${keyHint(trust)})`
            : keylessDescription(trust, values['trusted-root']);
        if (found === 0) {
            process.stderr.write(`error: no signature found for ${repo}@${digest}: neither a .sig tag nor bundle referrers\n`);
            return 1;
        }
        if (report.legacy.verified === 0 || report.bundles.verified === 0) {
            process.stderr.write(`error: ${report.legacy.verified === 0 && report.bundles.verified === 0 ? 'no' : 'not every kind of'} signature verifies with ${against}; signed by: ${report.signers.join('; ') || 'unknown'}\n`);
            return 1;
        }
        return 0;
    }
    catch (error) {
        return fail(error, false);
    }
}
/** The command line: the same pipeline as the action, plus key management and verification. */
async function main(argv) {
    const [command, ...rest] = argv;
    switch (command) {
        case 'build':
            return build(rest);
        case 'generate-key-pair':
            return generateKeyPairCommand(rest);
        case 'verify':
            return verifyCommand(rest);
        case '--help':
        case '-h':
        case 'help':
            process.stdout.write(`${usage}\n`);
            return 0;
        case undefined:
            process.stdout.write(`${usage}\n`);
            return 2;
        default:
            process.stderr.write(`imprint: unknown command "${command}"\n\n${usage}\n`);
            return 2;
    }
}
process.exitCode = await main(process.argv.slice(2));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 50673:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   I: () => (/* binding */ parseNamedPath),
/* harmony export */   S: () => (/* binding */ ManifestError)
/* harmony export */ });
/** Parses `a.b[0].c=tag`: a dotted path (numeric indices in brackets) and what it receives. */
function parseNamedPath(line) {
    const match = /^([^=\s]+)\s*=\s*(tag|digest|reference)$/.exec(line.trim());
    if (!match)
        throw new Error(`"${line}" is not PATH=tag|digest|reference (e.g. api.image.version=tag)`);
    const path = [];
    for (const part of match[1].split('.')) {
        const segments = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
        if (!segments || (segments[1] === '' && segments[2] === ''))
            throw new Error(`"${line}": "${part}" is not a key`);
        if (segments[1])
            path.push(segments[1]);
        for (const index of segments[2].matchAll(/\[(\d+)\]/g))
            path.push(Number(index[1]));
    }
    return { path, field: match[2] };
}
/** A file that cannot be edited safely, with where the problem is. */
class ManifestError extends Error {
    file;
    line;
    constructor(file, line, detail) {
        super(`${file}${line ? `:${line}` : ''}: ${detail}`);
        this.file = file;
        this.line = line;
        this.name = 'ManifestError';
    }
}


/***/ }),

/***/ 83916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ InputErrors),
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError)
/* harmony export */ });
/** One input that cannot be used, with what to do about it. */
class InputError extends Error {
    input;
    detail;
    constructor(input, 
    /** What is wrong and what to do, without the input's name. */
    detail) {
        super(`Input "${input}": ${detail}`);
        this.input = input;
        this.detail = detail;
        this.name = 'InputError';
    }
}
/** Every input problem found at once, so a user fixes them in one round. */
class InputErrors extends Error {
    errors;
    constructor(errors) {
        super(errors.map(e => e.message).join('\n'));
        this.errors = errors;
        this.name = 'InputErrors';
    }
}
function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}


/***/ }),

/***/ 27844:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ failureMessages)
/* harmony export */ });
/* unused harmony export cliSecrets */
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(83916);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(56958);
/* harmony import */ var _registry_errors__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6764);



/** Where the command line takes each secret from: the environment, never an option. */
const cliSecrets = {
    password: '$IMPRINT_PASSWORD',
    'signing-key-password': '$IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD)',
    'github-token': '$GITHUB_TOKEN'
};
/** An input's name as a user of the front end writes it. */
function named(input, frontEnd) {
    if (frontEnd === 'action')
        return `Input "${input}"`;
    return cliSecrets[input] ?? `--${input}`;
}
/**
 * The advice in a message, in the front end's terms: `allow-tag-overwrite: true` becomes
 * `--allow-tag-overwrite true`, the job's `id-token: write` permission an OIDC token in the
 * environment, the username and password inputs the flag and the variable.
 */
function inCliTerms(message) {
    let text = message
        .replace(/give the job "id-token: write"|missing "id-token" permission\. Please add "permissions: id-token: write" to your workflow\./g, 'set $SIGSTORE_ID_TOKEN to an OIDC token for Fulcio')
        .replace(/set the username and password inputs or log in with docker\/login-action/g, 'pass --username with $IMPRINT_PASSWORD, or log in (docker login, podman login)')
        .replace(/check the username and password inputs/g, 'check --username and $IMPRINT_PASSWORD');
    for (const input of _inputs__WEBPACK_IMPORTED_MODULE_1__/* .inputNames */ .vj) {
        const flag = cliSecrets[input] ?? `--${input}`;
        text = text
            .replace(new RegExp(`(?<![-\\w$])${input}: (true|false|warning|error|none|push|pull-request|auto|key|keyless|source-date|[0-9][0-9.:]*)\\b`, 'g'), `${flag} $1`)
            .replace(new RegExp(`\\bInput "${input}"`, 'g'), flag);
    }
    return text;
}
/**
 * Turns a failure into the lines a user should see: one per problem, naming the input (or, on the
 * command line, the flag or variable) to fix where one is at fault. Never a stack trace.
 */
function failureMessages(error, frontEnd = 'action') {
    const speak = (text) => frontEnd === 'cli' ? inCliTerms(text) : text;
    const forInput = (e) => speak(`${named(e.input, frontEnd)}: ${e.detail}`);
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputErrors */ .G)
        return error.errors.map(forInput);
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz)
        return [forInput(error)];
    if (error instanceof _registry_errors__WEBPACK_IMPORTED_MODULE_2__/* .AuthenticationError */ .v3 &&
        error.credentialOrigin === 'the username and password inputs')
        return [
            speak(`${named('password', frontEnd)}: ${error.message}; check the username and password inputs`)
        ];
    return [speak((0,_errors__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(error))];
}


/***/ }),

/***/ 28943:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   OS: () => (/* binding */ GitHubApiError),
/* harmony export */   yN: () => (/* binding */ GitHubApi),
/* harmony export */   yv: () => (/* binding */ refusedHint)
/* harmony export */ });
/* harmony import */ var _util_fetch_text__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(86614);
/* harmony import */ var _util_text__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(49997);


class GitHubApiError extends Error {
    status;
    constructor(status, method, path, detail) {
        super(`GitHub API ${method} ${path}: ${status} ${(0,_util_text__WEBPACK_IMPORTED_MODULE_0__/* .foreignText */ .q)(detail)}`);
        this.status = status;
        this.name = 'GitHubApiError';
    }
}
/** ` (what)` when the API refused the token (403: a permission the job lacks), else nothing. */
function refusedHint(error, what) {
    return error instanceof GitHubApiError && error.status === 403
        ? ` (${what})`
        : '';
}
const bounds = { timeoutMs: 60_000, maxBytes: 16 * 1024 * 1024 };
class GitHubApi {
    token;
    baseUrl;
    constructor(token, baseUrl = 'https://api.github.com') {
        this.token = token;
        this.baseUrl = baseUrl;
    }
    async call(method, path, body) {
        let res;
        try {
            res = await (0,_util_fetch_text__WEBPACK_IMPORTED_MODULE_1__/* .fetchText */ .S)(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
                method,
                headers: {
                    accept: 'application/vnd.github+json',
                    authorization: `Bearer ${this.token}`,
                    'x-github-api-version': '2022-11-28',
                    'user-agent': 'imprint',
                    ...(body ? { 'content-type': 'application/json' } : {})
                },
                body: body ? JSON.stringify(body) : undefined
            }, bounds);
        }
        catch (error) {
            throw new GitHubApiError(0, method, path, error.message);
        }
        const text = res.text;
        if (!res.ok) {
            let detail = text;
            try {
                const message = JSON.parse(text).message;
                if (typeof message === 'string')
                    detail = message;
            }
            catch {
                // not JSON
            }
            throw new GitHubApiError(res.status, method, path, detail);
        }
        return (text ? JSON.parse(text) : undefined);
    }
    /** Every comment of an issue or pull request, all pages. */
    async listComments(owner, repo, issue) {
        const all = [];
        for (let page = 1; page <= 50; page++) {
            const batch = await this.call('GET', `/repos/${owner}/${repo}/issues/${issue}/comments?per_page=100&page=${page}`);
            all.push(...batch);
            if (batch.length < 100)
                break;
        }
        return all;
    }
    createComment(owner, repo, issue, body) {
        return this.call('POST', `/repos/${owner}/${repo}/issues/${issue}/comments`, { body });
    }
    updateComment(owner, repo, id, body) {
        return this.call('PATCH', `/repos/${owner}/${repo}/issues/comments/${id}`, {
            body
        });
    }
    /** The open pull request from `head` (`owner:branch`) into `base`, if any. */
    async findOpenPull(owner, repo, head, base) {
        const query = `head=${encodeURIComponent(head)}&base=${encodeURIComponent(base)}&state=open&per_page=10`;
        const pulls = await this.call('GET', `/repos/${owner}/${repo}/pulls?${query}`);
        return pulls[0];
    }
    /**
     * Stores a Sigstore bundle in the repository's attestations (what actions/attest does), so
     * `gh attestation verify oci://IMAGE@DIGEST --owner OWNER` finds it. Needs `attestations: write`.
     */
    createAttestation(owner, repo, bundle) {
        return this.call('POST', `/repos/${owner}/${repo}/attestations`, {
            bundle
        });
    }
    createPull(owner, repo, pull) {
        return this.call('POST', `/repos/${owner}/${repo}/pulls`, pull);
    }
    updatePull(owner, repo, number, pull) {
        return this.call('PATCH', `/repos/${owner}/${repo}/pulls/${number}`, pull);
    }
}


/***/ }),

/***/ 56958:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vj: () => (/* reexport */ inputNames),
  Mp: () => (/* reexport */ keylessTrustMaterial),
  TL: () => (/* binding */ parseInputs)
});

// UNUSED EXPORTS: inputDefaults, parseCommand

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(83916);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(76760);
// EXTERNAL MODULE: ./src/layer/ignore.ts + 1 modules
var ignore = __nccwpck_require__(28165);
// EXTERNAL MODULE: ./src/layer/layer-spec.ts
var layer_spec = __nccwpck_require__(20250);
// EXTERNAL MODULE: ./src/oci/platform.ts
var platform = __nccwpck_require__(1890);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(62148);
// EXTERNAL MODULE: ./src/oci/types.ts
var types = __nccwpck_require__(3048);
;// CONCATENATED MODULE: ./src/util/list-input.ts
/** Splits a list input: one item per line (commas too when asked); blank and `#` lines ignored. */
function parseList(value, { commas = false } = {}) {
    return value
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line !== '' && !line.startsWith('#'))
        .flatMap(line => (commas ? line.split(',') : [line]))
        .map(item => item.trim())
        .filter(item => item !== '');
}
/** Parses `KEY=VALUE`; the value may contain `=` and may be empty. */
function parseKeyValue(item) {
    const eq = item.indexOf('=');
    if (eq <= 0)
        throw new Error(`"${item}" is not KEY=VALUE`);
    const key = item.slice(0, eq).trim();
    if (/\s/.test(key))
        throw new Error(`"${item}": the key must not contain whitespace`);
    return [key, item.slice(eq + 1)];
}

;// CONCATENATED MODULE: ./src/inputs/names.ts
/** The inputs this version reads, as `action.yml` declares them, and their defaults. */
const inputDefaults = {
    base: 'cgr.dev/chainguard/static:latest',
    platforms: 'linux/amd64',
    tags: '{{sha}}',
    push: 'true',
    load: 'false',
    'working-directory': '.',
    'file-mtime': '2000-01-01T00:00:00Z',
    'allow-tag-overwrite': 'false',
    'layer-owner': 'root',
    sign: 'auto',
    'sign-recursive': 'false',
    attest: 'true',
    sbom: 'true',
    'manifest-commit': 'push',
    'commit-message': 'deploy: {{image}}@{{digest}} ({{short_sha}})',
    'manifest-no-match': 'error',
    'push-by-digest': 'false',
    compression: 'gzip',
    comment: 'true',
    'actions-cache': 'true'
};
/** The names of the inputs this version reads, as in `action.yml`. */
const inputNames = [
    'image',
    'base',
    'layers',
    'exclude',
    'platforms',
    'entrypoint',
    'cmd',
    'env',
    'workdir',
    'user',
    'labels',
    'annotations',
    'tags',
    'push',
    'oci-layout',
    'load',
    'working-directory',
    'source-date-epoch',
    'file-mtime',
    'allow-tag-overwrite',
    'layer-owner',
    'username',
    'password',
    'insecure-registries',
    'github-token',
    'sign',
    'signing-key',
    'signing-key-password',
    'sign-recursive',
    'attest',
    'sbom',
    'manifests',
    'manifest-commit',
    'manifest-repository',
    'manifest-branch',
    'commit-message',
    'manifest-no-match',
    'manifest-paths',
    'manifest-token',
    'push-by-digest',
    'merge-digests',
    'compression',
    'comment',
    'actions-cache'
];

;// CONCATENATED MODULE: ./src/inputs/fields.ts


/**
 * Reads raw input strings (missing ones are empty, then the default) and collects every problem,
 * so that a user sees all of them at once and nothing is touched before all inputs are usable.
 */
class InputReader {
    get;
    errors = [];
    /** What was read otherwise than written (a name lower-cased), for the log. */
    notices = [];
    constructor(get) {
        this.get = get;
    }
    /** The value as given (not trimmed, no default): passwords and keys. */
    exact(name) {
        return this.get(name);
    }
    /** The trimmed value, or the default when empty. */
    raw(name) {
        const value = this.get(name).trim();
        return value === '' ? (inputDefaults[name] ?? '') : value;
    }
    /** Parses one input; a failure is recorded against it and `fallback` stands in. */
    field(name, parse, fallback) {
        try {
            return parse(this.raw(name));
        }
        catch (error) {
            this.fail(name, error);
            return fallback;
        }
    }
    /** Like `field`, for inputs whose empty value means "not set". */
    optional(name, parse) {
        return this.field(name, value => (value === '' ? undefined : parse(value)), undefined);
    }
    fail(name, error) {
        this.errors.push(error instanceof errors/* InputError */.dz
            ? error
            : new errors/* InputError */.dz(name, (0,errors/* messageOf */.bD)(error)));
    }
}
function parseBoolean(value) {
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new Error(`"${value}" is not a boolean (use true or false)`);
}
/** One of a fixed set of words. */
function oneOf(...allowed) {
    return (value) => {
        if (allowed.includes(value))
            return value;
        throw new Error(`"${value}" is not one of ${allowed.join(', ')}`);
    };
}

;// CONCATENATED MODULE: ./src/inputs/build.ts









/** A JSON array of strings, or a plain string split on spaces. */
function parseCommand(value) {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
        let parsed;
        try {
            parsed = JSON.parse(trimmed);
        }
        catch (error) {
            throw new Error(`${trimmed} is not valid JSON (${(0,errors/* messageOf */.bD)(error)}); write e.g. ["/app/server","--port","8080"]`);
        }
        if (!Array.isArray(parsed) || !parsed.every(p => typeof p === 'string')) {
            throw new Error(`${trimmed} must be a JSON array of strings`);
        }
        return parsed;
    }
    return trimmed.split(/\s+/);
}
function parsePlatforms(value) {
    const items = parseList(value, { commas: true });
    if (items.length === 1 && items[0] === 'all')
        return 'all';
    if (items.length === 0)
        throw new Error('is empty (use e.g. linux/amd64,linux/arm64 or all)');
    const parsed = items.map(platform/* parsePlatform */.FL);
    const seen = new Set();
    for (const [i, p] of parsed.entries()) {
        if (seen.has(JSON.stringify(p)))
            throw new Error(`"${items[i]}" is listed twice`);
        seen.add(JSON.stringify(p));
    }
    return parsed;
}
function parseOwner(value, user) {
    const ids = (text, what) => {
        const match = /^(\d+)(?::(\d+))?$/.exec(text);
        if (!match)
            throw new Error(`${what} (use root, user, or numeric UID[:GID] such as 65532:65532)`);
        const owner = { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
        // The USTAR uid/gid fields hold 7 octal digits.
        if (owner.uid > 0o7777777 || owner.gid > 0o7777777) {
            throw new Error(`${text}: owner ids above 2097151 do not fit a tar header`);
        }
        return owner;
    };
    if (value === '' || value === 'root')
        return { uid: 0, gid: 0 };
    if (value === 'user') {
        return ids(user ?? '', `"user" needs the user input to be numeric UID[:GID], got "${user ?? ''}"`);
    }
    return ids(value, `"${value}" is not an owner`);
}
/**
 * `file-mtime`: whole seconds since the epoch, an RFC 3339 time (whole seconds, a zone), or
 * `source-date`. It must fit the tar header's 11 octal digits.
 */
function parseFileMtime(value) {
    if (value === 'source-date')
        return value;
    let seconds;
    if (/^\d+$/.test(value))
        seconds = Number(value);
    else
        seconds = parseRfc3339(value);
    if (seconds === undefined)
        throw new Error(`"${value}" is not a time: write RFC 3339 (2000-01-01T00:00:00Z), seconds since 1970, or source-date`);
    if (seconds < 0 || seconds > 0o77777777777)
        throw new Error(`"${value}" is outside what a tar header can hold`);
    return seconds;
}
/**
 * An RFC 3339 time in whole seconds, or undefined. A date or time that does not exist
 * (2000-02-30, 24:00:00) is refused rather than rolled over into another one.
 */
function parseRfc3339(value) {
    const parts = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.0+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(value);
    if (!parts)
        return undefined;
    const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
    const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const exists = utc.getUTCFullYear() === year &&
        utc.getUTCMonth() === month - 1 &&
        utc.getUTCDate() === day &&
        utc.getUTCHours() === hour &&
        utc.getUTCMinutes() === minute &&
        utc.getUTCSeconds() === second;
    const [sign, offsetHours, offsetMinutes] = [
        parts[7],
        Number(parts[8] ?? 0),
        Number(parts[9] ?? 0)
    ];
    if (!exists || offsetHours > 23 || offsetMinutes > 59)
        return undefined;
    const offset = (offsetHours * 60 + offsetMinutes) * 60 * (sign === '-' ? -1 : 1);
    return utc.getTime() / 1000 - offset;
}
const keyValues = (value) => parseList(value).map(parseKeyValue);
function readBuildInputs(reader, merging) {
    const user = reader.optional('user', v => v);
    return {
        base: reader.field('base', value => (value === 'scratch' ? 'scratch' : (0,reference/* parseReference */.F2)(value)), 'scratch'),
        layers: reader.field('layers', value => {
            const lines = parseList(value);
            if (merging) {
                if (lines.length > 0)
                    throw new Error('is not used with merge-digests, which assembles images already pushed; remove one of them');
                return [];
            }
            if (lines.length === 0)
                throw new Error('is required: one SOURCE:DESTINATION per line, e.g. dist:/app/dist');
            return lines.map(layer_spec/* parseLayerSpec */.aL);
        }, []),
        exclude: reader.field('exclude', value => (0,ignore/* parsePatterns */.Z7)(parseList(value)), []),
        platforms: reader.field('platforms', parsePlatforms, []),
        entrypoint: reader.optional('entrypoint', parseCommand),
        cmd: reader.optional('cmd', parseCommand),
        env: reader.field('env', keyValues, []),
        workdir: reader.optional('workdir', value => {
            if (!(0,external_node_path_.isAbsolute)(value) && !value.startsWith('/'))
                throw new Error(`"${value}" must be an absolute path in the image`);
            return value;
        }),
        user,
        labels: reader.field('labels', v => Object.fromEntries(keyValues(v)), {}),
        annotations: reader.field('annotations', v => Object.fromEntries(keyValues(v)), {}),
        workingDirectory: reader.field('working-directory', value => value, '.'),
        sourceDateEpoch: reader.optional('source-date-epoch', value => {
            if (!/^\d+$/.test(value))
                throw new Error(`"${value}" is not a whole number of seconds since 1970-01-01`);
            if (Number(value) > types/* lastRfc3339Second */.u)
                throw new Error(`"${value}" is after 9999-12-31T23:59:59Z (${types/* lastRfc3339Second */.u}), the last time an image's created field can hold`);
            return Number(value);
        }),
        fileMtime: reader.field('file-mtime', parseFileMtime, 946684800),
        layerOwner: reader.field('layer-owner', value => parseOwner(value, user), {
            uid: 0,
            gid: 0
        }),
        compression: reader.field('compression', oneOf('gzip', 'zstd'), 'gzip')
    };
}

// EXTERNAL MODULE: ./src/deploy/edit/types.ts
var edit_types = __nccwpck_require__(50673);
;// CONCATENATED MODULE: ./src/inputs/deploy.ts



function readDeployInputs(reader, image) {
    return {
        image,
        manifests: reader.field('manifests', parseList, []),
        manifestCommit: reader.field('manifest-commit', oneOf('push', 'pull-request', 'none'), 'none'),
        manifestRepository: reader.optional('manifest-repository', value => {
            if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value))
                throw new Error(`"${value}" is not OWNER/REPOSITORY`);
            return value;
        }),
        manifestToken: reader.exact('manifest-token').trim() ||
            reader.exact('github-token') ||
            undefined,
        manifestBranch: reader.optional('manifest-branch', value => {
            if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.includes('..'))
                throw new Error(`"${value}" is not a valid branch name`);
            return value;
        }),
        commitMessage: reader.field('commit-message', value => value, ''),
        manifestNoMatch: reader.field('manifest-no-match', oneOf('error', 'warning'), 'error'),
        manifestPaths: reader.field('manifest-paths', value => parseList(value).map(edit_types/* parseNamedPath */.I), [])
    };
}

;// CONCATENATED MODULE: ./src/inputs/push.ts



function readPushInputs(reader) {
    const images = reader.field('image', value => {
        const lines = parseList(value);
        if (lines.length === 0)
            throw new Error('is required (the repository to push to, e.g. ghcr.io/acme/api)');
        const repositories = lines.map(line => repositoryOf(line, reader));
        const seen = new Set();
        for (const repository of repositories) {
            if (seen.has(String(repository)))
                throw new Error(`${repository} is listed twice`);
            seen.add(String(repository));
        }
        return repositories;
    }, []);
    const image = images[0];
    const push = reader.field('push', parseBoolean, false);
    const mergeDigests = reader.field('merge-digests', parseList, []);
    const pushByDigest = reader.field('push-by-digest', parseBoolean, false);
    if (pushByDigest && mergeDigests.length > 0) {
        reader.fail('push-by-digest', new Error('cannot be combined with merge-digests: the fan-out job pushes by digest, the fan-in job merges'));
    }
    else if (pushByDigest && !push) {
        reader.fail('push-by-digest', new Error('needs push: true (it pushes the image without tags)'));
    }
    const load = reader.field('load', parseBoolean, false);
    if (load && pushByDigest) {
        reader.fail('load', new Error('cannot be combined with push-by-digest: an engine names an image by its tags, and push-by-digest writes none (load it in the merge job, or build with tags)'));
    }
    const username = reader.optional('username', v => v);
    // Passwords are taken as given: a leading or trailing space can be part of one.
    const password = reader.exact('password') || undefined;
    if ((username === undefined) !== (password === undefined)) {
        reader.fail(username === undefined ? 'username' : 'password', new Error('username and password must be given together'));
    }
    return {
        image,
        images,
        tags: reader.field('tags', parseList, []),
        push,
        ociLayout: reader.optional('oci-layout', v => v),
        load,
        allowTagOverwrite: reader.field('allow-tag-overwrite', parseBoolean, false),
        username,
        password,
        insecureRegistries: reader.field('insecure-registries', value => parseList(value, { commas: true }).map(host => reference/* Registry */.OR.parse(host).name), []),
        githubToken: reader.exact('github-token') || undefined,
        pushByDigest,
        mergeDigests,
        actionsCache: reader.field('actions-cache', parseBoolean, true)
    };
}
/**
 * One repository line. `ghcr.io/${{ github.repository }}` has the owner's capitals; registries
 * want lower case, so a name with capitals is lower-cased with a notice.
 */
function repositoryOf(line, reader) {
    const lower = line.toLowerCase();
    if (lower !== line) {
        const repository = reference/* Repository */.LN.parse(lower);
        reader.notices.push(`image: "${line}" is used as ${repository} (repository names are lower-case)`);
        return repository;
    }
    return reference/* Repository */.LN.parse(line);
}

;// CONCATENATED MODULE: ./src/inputs/report.ts

function readReportInputs(reader) {
    return {
        comment: reader.field('comment', parseBoolean, true),
        githubToken: reader.exact('github-token') || undefined
    };
}

// EXTERNAL MODULE: ./src/sign/keys.ts
var keys = __nccwpck_require__(82821);
// EXTERNAL MODULE: ./src/sign/oidc.ts
var oidc = __nccwpck_require__(76920);
// EXTERNAL MODULE: ./src/sign/trusted-root-file.ts
var trusted_root_file = __nccwpck_require__(48318);
;// CONCATENATED MODULE: ./src/inputs/sign.ts





/**
 * Reads the signing inputs; `auto` becomes `key` with a key, `keyless` when the job can get an
 * OIDC token, else `none`. The key is loaded (and decrypted) here, so a wrong key or password
 * fails before anything is built or pushed.
 */
function readSignInputs(reader, env) {
    const keyPem = reader.exact('signing-key').trim();
    const sign = reader.field('sign', value => {
        switch (value) {
            case 'auto':
                return keyPem ? 'key' : (0,oidc/* hasIdentityToken */.A)(env) ? 'keyless' : 'none';
            case 'key':
                if (!keyPem)
                    throw new Error('is "key" but signing-key is empty; pass the key, e.g. signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}');
                return 'key';
            case 'none':
                return 'none';
            case 'keyless':
                if (!(0,oidc/* hasIdentityToken */.A)(env))
                    throw new Error('is "keyless" but the job has no OIDC token: missing "id-token" permission. Please add "permissions: id-token: write" to your workflow.');
                return 'keyless';
            default:
                throw new Error(`"${value}" is not one of auto, key, keyless, none`);
        }
    }, 'none');
    let signingKey;
    if (sign === 'key' && keyPem) {
        try {
            signingKey = (0,keys/* loadSigningKey */.fm)(keyPem, reader.exact('signing-key-password'));
        }
        catch (error) {
            reader.fail(error instanceof keys/* KeyError */.eN && error.culprit === 'password'
                ? 'signing-key-password'
                : 'signing-key', error);
        }
    }
    let keylessTrustedRoot;
    const trustedRootFile = env.SIGSTORE_TRUSTED_ROOT?.trim();
    if (sign === 'keyless' && trustedRootFile) {
        try {
            keylessTrustedRoot = (0,trusted_root_file/* readTrustedRootFile */.u)(trustedRootFile);
        }
        catch (error) {
            reader.fail('sign', trustedRootError(error));
        }
    }
    return {
        sign,
        signAuto: reader.raw('sign') === 'auto',
        signingKey,
        signRecursive: reader.field('sign-recursive', parseBoolean, false),
        attest: reader.field('attest', parseBoolean, true),
        sbom: reader.field('sbom', parseBoolean, true),
        keylessTrustedRoot
    };
}
/**
 * The keyless trusted root as sigstore-js's trust material, made where the pipeline checks its
 * inputs, before anything is built: only a run that has one loads sigstore-js for it, and a root
 * sigstore-js cannot use fails as the `sign` input, like one that cannot be read.
 */
async function keylessTrustMaterial(inputs) {
    if (!inputs.keylessTrustedRoot)
        return undefined;
    const { trustMaterialOf } = await Promise.all(/* import() */[__nccwpck_require__.e(187), __nccwpck_require__.e(903)]).then(__nccwpck_require__.bind(__nccwpck_require__, 21903));
    try {
        return trustMaterialOf(inputs.keylessTrustedRoot);
    }
    catch (error) {
        throw trustedRootError(error);
    }
}
function trustedRootError(error) {
    return new errors/* InputError */.dz('sign', `keyless, but $SIGSTORE_TRUSTED_ROOT: ${(0,errors/* messageOf */.bD)(error)}`);
}

;// CONCATENATED MODULE: ./src/inputs/index.ts











/**
 * Validates raw input strings (missing ones are empty) into `Inputs`, collecting every problem
 * into one `InputErrors`, so that nothing is touched before all inputs are known to be usable.
 */
function parseInputs(get, env) {
    const reader = new InputReader(get);
    const push = readPushInputs(reader);
    const inputs = {
        ...push,
        ...readBuildInputs(reader, push.mergeDigests.length > 0),
        ...readSignInputs(reader, env),
        ...readDeployInputs(reader, push.image),
        ...readReportInputs(reader),
        notices: reader.notices
    };
    if (reader.errors.length) {
        // In the order action.yml lists the inputs, whichever stage found the problem.
        const position = (name) => inputNames.indexOf(name);
        throw new errors/* InputErrors */.G([...reader.errors].sort((a, b) => position(a.input) - position(b.input)));
    }
    return inputs;
}


/***/ }),

/***/ 28165:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  SV: () => (/* binding */ IGNORE_FILE),
  w0: () => (/* binding */ IgnoreRules),
  a0: () => (/* binding */ parseIgnoreFile),
  Z7: () => (/* binding */ parsePatterns)
});

// UNUSED EXPORTS: cleanPath

;// CONCATENATED MODULE: ./src/layer/pattern-match.ts
/**
 * Reads a bracket expression at `chars[start]` (just after `[`) as Go's `filepath.Match` does:
 * `^` negates, members are characters or `lo-hi` ranges, `\` escapes, `]` closes once a member
 * was read. Returns the set and the index after `]`.
 */
function readClass(chars, start) {
    let i = start;
    const unclosed = new Error('has a "[" that opens a character class without closing it (write \\[ for a bracket)');
    const member = () => {
        let ch = chars[i];
        if (ch === undefined)
            throw unclosed;
        if (ch === '-' || ch === ']')
            throw new Error(`has a character class with "${ch}" where a character belongs (write \\${ch} for it)`);
        if (ch === '\\') {
            ch = chars[++i];
            if (ch === undefined)
                throw unclosed;
        }
        i++;
        if (i >= chars.length)
            throw unclosed;
        return ch;
    };
    const negated = chars[i] === '^';
    if (negated)
        i++;
    const ranges = [];
    while (!(chars[i] === ']' && ranges.length > 0)) {
        const lo = member();
        let hi = lo;
        if (chars[i] === '-') {
            i++;
            hi = member();
        }
        // Go's filepath.Match accepts these; Docker's regular expression does not compile.
        if (lo.codePointAt(0) > hi.codePointAt(0))
            throw new Error(`has a character class range ${lo}-${hi} that runs backwards`);
        ranges.push([lo.codePointAt(0), hi.codePointAt(0)]);
    }
    return { set: { negated, ranges }, next: i + 1 };
}
function inSet(set, code) {
    const member = set.ranges.some(([lo, hi]) => lo <= code && code <= hi);
    return member !== set.negated;
}
const SLASH = 0x2f;
const NEWLINE = 0x0a;
const kinds = ['char', 'any', 'set', 'star', 'dirs', 'rest'];
const [CHAR, ANY, SET, STAR, DIRS, REST] = kinds.map((_, i) => i);
/**
 * Matches a path against tokens by keeping every place in the pattern the path so far could have
 * reached (Thompson's simulation of the regular expression, as Go's RE2 runs moby's): time
 * proportional to the path's length times the pattern's, whatever they are. A backtracking
 * matcher (JavaScript's RegExp) takes exponential time on `*a*a*a*a*a*a*a*a*b`, and a fork's pull
 * request can commit a `.imprintignore`.
 *
 * State `2j` is before token `j`, `2j + 1` inside the `**` at `j` (reading up to its `/`), `2m`
 * past the last token. Moves that read nothing only go forward. The path is read by code points,
 * as a `u` regular expression reads it. Up to 15 tokens (nearly every pattern), the set of states
 * is the bits of one number; beyond, an array.
 */
function simulate(tokens) {
    return 2 * tokens.length + 1 <= 31 ? stateBits(tokens) : stateArray(tokens);
}
/** The code point of `path` at `i` (two UTF-16 units when it is above U+FFFF). */
function codePoint(path, i) {
    const high = path.charCodeAt(i);
    if (high < 0xd800 || high > 0xdbff || i + 1 >= path.length)
        return high;
    const low = path.charCodeAt(i + 1);
    if (low < 0xdc00 || low > 0xdfff)
        return high;
    return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
}
/** `simulate` for at most 15 tokens: bit `s` of a number is state `s`. */
function stateBits(tokens) {
    const ascii = new Int32Array(128);
    const others = new Map();
    const sets = [];
    let any = 0;
    let star = 0;
    let rest = 0;
    let dirs = 0;
    tokens.forEach((token, j) => {
        const bit = 1 << (2 * j);
        if (token.kind === 'char') {
            const code = token.ch.codePointAt(0);
            if (code < 128)
                ascii[code] |= bit;
            else
                others.set(code, (others.get(code) ?? 0) | bit);
        }
        else if (token.kind === 'set')
            sets.push([bit, token]);
        else if (token.kind === 'any')
            any |= bit;
        else if (token.kind === 'star')
            star |= bit;
        else if (token.kind === 'rest')
            rest |= bit;
        else
            dirs |= bit;
    });
    const skip = dirs | star | rest;
    const inner = dirs << 1;
    const accept = 1 << (2 * tokens.length);
    // Moves that read nothing: a `**` to its inner state or past itself, `*` and a final `**` past.
    const close = (states) => {
        for (;;) {
            const more = states | ((states & dirs) << 1) | ((states & skip) << 2);
            if (more === states)
                return states;
            states = more;
        }
    };
    const start = close(1);
    return path => {
        let states = start;
        for (let i = 0; i < path.length; i++) {
            const ch = codePoint(path, i);
            if (ch > 0xffff)
                i++;
            let next = (states & (ch < 128 ? ascii[ch] : (others.get(ch) ?? 0))) << 2;
            if (ch !== SLASH)
                next |= ((states & any) << 2) | (states & star);
            if (ch !== NEWLINE)
                next |= states & (rest | inner);
            if (ch === SLASH)
                next |= (states & inner) << 1;
            for (const [bit, set] of sets)
                if (states & bit && inSet(set, ch))
                    next |= bit << 2;
            if (next === 0)
                return false;
            states = close(next);
        }
        return (states & accept) !== 0;
    };
}
/** `simulate` for any number of tokens: an array of states. */
function stateArray(tokens) {
    const m = tokens.length;
    const kind = Uint8Array.from(tokens, token => kinds.indexOf(token.kind));
    const code = Int32Array.from(tokens, token => token.kind === 'char' ? token.ch.codePointAt(0) : -1);
    const sets = tokens.map(token => (token.kind === 'set' ? token : undefined));
    let current = new Uint8Array(2 * m + 1);
    let next = new Uint8Array(2 * m + 1);
    /** Whether token `j` reads `ch` (a `**` before more of the pattern reads in its inner state). */
    const reads = (j, ch) => {
        switch (kind[j]) {
            case CHAR:
                return ch === code[j];
            case ANY:
            case STAR:
                return ch !== SLASH;
            case SET:
                return inSet(sets[j], ch);
            case REST:
                return ch !== NEWLINE;
            default:
                return false;
        }
    };
    const close = (states) => {
        for (let j = 0; j < m; j++) {
            if (!states[2 * j])
                continue;
            const k = kind[j];
            if (k === DIRS)
                states[2 * j + 1] = 1;
            if (k === DIRS || k === STAR || k === REST)
                states[2 * j + 2] = 1;
        }
    };
    return path => {
        current.fill(0);
        current[0] = 1;
        close(current);
        for (let i = 0; i < path.length; i++) {
            const ch = codePoint(path, i);
            if (ch > 0xffff)
                i++;
            next.fill(0);
            let alive = false;
            for (let j = 0; j < m; j++) {
                if (current[2 * j] && reads(j, ch)) {
                    const stays = kind[j] === STAR || kind[j] === REST;
                    next[stays ? 2 * j : 2 * j + 2] = 1;
                    alive = true;
                }
                if (current[2 * j + 1] && ch !== NEWLINE) {
                    next[2 * j + 1] = 1;
                    if (ch === SLASH)
                        next[2 * j + 2] = 1;
                    alive = true;
                }
            }
            if (!alive)
                return false;
            const read = current;
            current = next;
            next = read;
            close(current);
        }
        return current[2 * m] === 1;
    };
}
/**
 * Compiles a cleaned pattern (no `!`) as moby's `Pattern.compile` does: a whole-path comparison,
 * a prefix (`dir/**`), a suffix (`**` first, then only plain characters) or, where moby builds a
 * regular expression, the same language matched in linear time (`simulate`).
 */
function compile(pattern) {
    const chars = Array.from(pattern);
    const tokens = [];
    let kind = 'exact';
    for (let i = 0, step = 0; i < chars.length; step++) {
        const ch = chars[i++];
        if (ch === '*' && chars[i] === '*') {
            i++;
            if (chars[i] === '/')
                i++;
            if (i >= chars.length) {
                if (kind === 'exact')
                    kind = 'prefix';
                else {
                    tokens.push({ kind: 'rest' });
                    kind = 'regexp';
                }
            }
            else {
                tokens.push({ kind: 'dirs' });
                kind = 'regexp';
            }
            if (step === 0)
                kind = 'suffix';
        }
        else if (ch === '*') {
            tokens.push({ kind: 'star' });
            kind = 'regexp';
        }
        else if (ch === '?') {
            tokens.push({ kind: 'any' });
            kind = 'regexp';
        }
        else if (ch === '\\') {
            if (i >= chars.length)
                throw new Error('ends with a "\\" that escapes nothing');
            tokens.push({ kind: 'char', ch: chars[i++] });
            kind = 'regexp';
        }
        else if (ch === '[') {
            const cls = readClass(chars, i);
            tokens.push({ kind: 'set', ...cls.set });
            i = cls.next;
            kind = 'regexp';
        }
        else {
            // `]` alone is a plain character, but moby's pattern is a regular expression from then on.
            tokens.push({ kind: 'char', ch });
            if (ch === ']')
                kind = 'regexp';
        }
    }
    switch (kind) {
        case 'exact':
            return path => path === pattern;
        case 'prefix': {
            const prefix = pattern.slice(0, -2);
            return path => path.startsWith(prefix);
        }
        case 'suffix': {
            // As in moby: `**/foo` also matches `foo`; `**foo` matches any path ending in foo.
            const suffix = pattern.slice(2);
            return path => path.endsWith(suffix) ||
                (suffix.startsWith('/') && path === suffix.slice(1));
        }
        default:
            return simulate(tokens);
    }
}

;// CONCATENATED MODULE: ./src/layer/ignore.ts
/**
 * `.dockerignore` patterns, read and matched as Docker reads and matches them (moby/patternmatcher
 * and its `ignorefile` reader; BuildKit's walk for which matches a directory passes down and what an
 * excluded directory may still hold), for the `exclude` input and a source's `.imprintignore`.
 *
 * Where Docker's translation of a pattern into a Go regular expression contradicts its own
 * documentation (Go's `filepath.Match` rules), the documentation is followed: `\x` matches `x`
 * (Go's regexp would read `\d` as a digit), every character between brackets is a member of the
 * class (Docker turns `[*]` into a broken class), and `^` outside brackets is an ordinary
 * character (an anchor in Docker, so such a pattern matched nothing).
 */

/** The file at the top of a source directory whose patterns apply to that source only. */
const IGNORE_FILE = '.imprintignore';
/** Go's unicode.IsSpace (String.prototype.trim also trims U+FEFF and keeps U+0085). */
function isSpace(code) {
    return ((code >= 0x09 && code <= 0x0d) ||
        code === 0x20 ||
        code === 0x85 ||
        code === 0xa0 ||
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000);
}
/**
 * Go's strings.TrimSpace, by scanning: a regular expression `\s+$` takes time quadratic in a run
 * of spaces that is not at the end (minutes for a 1 MiB line of them).
 */
function trimSpace(text) {
    let start = 0;
    let end = text.length;
    while (start < end && isSpace(text.charCodeAt(start)))
        start++;
    while (end > start && isSpace(text.charCodeAt(end - 1)))
        end--;
    return text.slice(start, end);
}
/** Go's `path.Clean`: one slash between elements, no `.` elements, `..` resolved where it can be. */
function cleanPath(path) {
    if (path === '')
        return '.';
    const rooted = path.startsWith('/');
    const out = [];
    for (const element of path.split('/')) {
        if (element === '' || element === '.')
            continue;
        if (element === '..') {
            if (out.length > 0 && out[out.length - 1] !== '..')
                out.pop();
            else if (!rooted)
                out.push('..');
        }
        else
            out.push(element);
    }
    const joined = out.join('/');
    return rooted ? `/${joined}` : joined || '.';
}
/** What `ignorefile.ReadAll` makes of one line that is not a comment; undefined when blank. */
function readLine(line) {
    let pattern = trimSpace(line);
    if (pattern === '')
        return undefined;
    const invert = pattern.startsWith('!');
    if (invert)
        pattern = trimSpace(pattern.slice(1));
    if (pattern.length > 0) {
        pattern = cleanPath(pattern);
        if (pattern.length > 1 && pattern.startsWith('/'))
            pattern = pattern.slice(1);
    }
    return invert ? `!${pattern}` : pattern;
}
/** What `patternmatcher.New` makes of one pattern line (after `readLine`). */
function compilePattern(line) {
    let text = cleanPath(trimSpace(line));
    const exclusion = text.startsWith('!');
    if (exclusion) {
        if (text.length === 1)
            throw new Error('re-includes nothing: write !PATTERN');
        text = text.slice(1);
    }
    return { text, exclusion, matches: compile(text) };
}
/**
 * Patterns given one per item (the `exclude` input: blank and comment lines already dropped).
 * Throws one error naming every pattern that is not valid.
 */
function parsePatterns(items) {
    const patterns = [];
    const problems = [];
    for (const item of items) {
        const line = readLine(item);
        if (line === undefined)
            continue;
        try {
            patterns.push(compilePattern(line));
        }
        catch (error) {
            problems.push(`"${item}" ${error.message}`);
        }
    }
    if (problems.length)
        throw new Error(problems.join('; '));
    return patterns;
}
/**
 * The patterns of an ignore file, read as `ignorefile.ReadAll` reads them: a UTF-8 BOM dropped,
 * lines starting with `#` in column 1 are comments, blank lines skipped. Errors name `name` and the
 * line number.
 */
function parseIgnoreFile(text, name) {
    const lines = text.replace(/^\uFEFF/, '').split('\n');
    const patterns = [];
    const problems = [];
    for (const [index, raw] of lines.entries()) {
        const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (content.startsWith('#'))
            continue;
        const line = readLine(content);
        if (line === undefined)
            continue;
        try {
            patterns.push(compilePattern(line));
        }
        catch (error) {
            problems.push(`${name} line ${index + 1}: "${content.trim()}" ${error.message}`);
        }
    }
    if (problems.length)
        throw new Error(problems.join('; '));
    return patterns;
}
/**
 * Decides, path by path during a walk, what the patterns exclude, as BuildKit does for a
 * `.dockerignore` (tonistiigi/fsutil's walk with moby's `MatchesUsingParentResults`): patterns
 * are read in order, tracking whether the path is excluded so far; a pattern recorded as matched
 * for the directory above counts as matching, and otherwise a pattern is evaluated only when it
 * could change the verdict (a pattern on a path not excluded so far, a `!` pattern on one that
 * is). The last pattern that counts decides.
 *
 * So `!config` after a pattern excluding `.env` files at any depth does not include
 * `config/prod.env` again: at `config` nothing was excluded, the `!` pattern was not evaluated and
 * `config` records no match of it; at `config/prod.env` it is evaluated on that path and does not
 * match. (moby's `MatchesOrParentMatches`, which Docker's classic builder used, includes it.)
 */
class IgnoreRules {
    patterns;
    /** For the source directory itself: nothing above it matched. */
    top;
    reaches;
    constructor(patterns) {
        this.patterns = patterns;
        this.top = patterns.map(() => false);
        this.reaches = patterns.filter(p => p.exclusion).map(reachesUnder);
    }
    /**
     * Whether `path` (slash-separated, relative to the source) is excluded, on its own: the
     * directories above it are evaluated one by one from the top, as the walk does.
     */
    excludes(path) {
        const slash = path.lastIndexOf('/');
        const parent = slash < 0 ? '.' : cleanPath(path.slice(0, slash));
        let matched = this.top;
        if (parent !== '.') {
            const parts = parent.split('/');
            for (let i = 1; i <= parts.length; i++)
                matched = this.directory(parts.slice(0, i).join('/'), matched).matched;
        }
        return this.excludesFile(path, matched);
    }
    /** Whether a file (or link) at `path` is excluded, given what matched its directory. */
    excludesFile(path, parent) {
        return this.directory(path, parent).excluded;
    }
    /** Whether a directory at `path` is excluded, and what it records, for what it holds. */
    directory(path, parent) {
        let excluded = false;
        const matched = this.patterns.map((pattern, i) => {
            let match = parent[i];
            if (!match) {
                // Not evaluated where it cannot change the verdict; then not recorded either.
                if (pattern.exclusion !== excluded)
                    return false;
                match = pattern.matches(path);
            }
            if (match)
                excluded = !pattern.exclusion;
            return match;
        });
        return { excluded, matched };
    }
    /**
     * Whether an excluded directory must still be listed because a `!` pattern could include
     * something below it. BuildKit's rule for patterns without wildcards (after a trailing `/*` or
     * `/**`): those that start with the directory's path; a pattern with wildcards could unless its
     * leading plain path segments lead elsewhere (BuildKit lists every excluded directory then).
     */
    mayIncludeBelow(dir) {
        return this.reaches.some(reaches => reaches(dir));
    }
}
const wildcard = /[*?[\]\\]/;
function reachesUnder(pattern) {
    const trimmed = pattern.text.replace(/\/\*\*?$/, '');
    if (!wildcard.test(trimmed))
        return dir => `${trimmed}/`.startsWith(`${dir}/`);
    const segments = pattern.text.split('/');
    const plain = segments.findIndex(segment => wildcard.test(segment));
    const lead = segments.slice(0, plain).join('/');
    if (lead === '')
        return () => true;
    return dir => `${dir}/`.startsWith(`${lead}/`) || `${lead}/`.startsWith(`${dir}/`);
}


/***/ }),

/***/ 20250:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   UR: () => (/* binding */ namesPlatform),
/* harmony export */   aL: () => (/* binding */ parseLayerSpec),
/* harmony export */   o$: () => (/* binding */ sourceForPlatform)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

/** Parses `SOURCE:DESTINATION`; the first colon followed by `/` separates the two. */
function parseLayerSpec(line) {
    const match = /^(.+?):(\/.*)$/.exec(line.trim());
    if (!match) {
        if (line.includes(':')) {
            throw new Error(`"${line}": the destination must be an absolute path in the image (e.g. dist:/app/dist)`);
        }
        throw new Error(`"${line}" has no destination (write SOURCE:DESTINATION, e.g. dist:/app/dist)`);
    }
    const [, source, destination] = match;
    if (node_path__WEBPACK_IMPORTED_MODULE_0__.posix.isAbsolute(source) || source.startsWith('~')) {
        throw new Error(`"${line}": the source must be relative to working-directory, not absolute`);
    }
    if (destination.split('/').includes('..')) {
        throw new Error(`"${line}": the destination must not contain ".."`);
    }
    return { source, destination };
}
const placeholder = /\{\{\s*(os|arch|variant)\s*\}\}/g;
/** Whether a source names a platform (`{{os}}`…): it is known once the base's platforms are. */
function namesPlatform(source) {
    return new RegExp(placeholder.source).test(source);
}
/** Fills `{{os}}`, `{{arch}}` and `{{variant}}` in a source for one platform. */
function sourceForPlatform(source, platform) {
    return source.replace(placeholder, (_, key) => key === 'os'
        ? platform.os
        : key === 'arch'
            ? platform.architecture
            : (platform.variant ?? ''));
}


/***/ }),

/***/ 68825:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   sU: () => (/* binding */ digestHex),
/* harmony export */   sc: () => (/* binding */ sha256)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

const digestPattern = /^sha256:[a-f0-9]{64}$/;
function isDigest(value) {
    return digestPattern.test(value);
}
function sha256(data) {
    return `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(data).digest('hex')}`;
}
/** The hex part of a digest, as used in blob paths and fallback tags. */
function digestHex(digest) {
    return digest.slice('sha256:'.length);
}


/***/ }),

/***/ 47812:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ax: () => (/* binding */ fileBlob),
/* harmony export */   M4: () => (/* binding */ topLevel),
/* harmony export */   Mr: () => (/* binding */ canonicalBytes),
/* harmony export */   Pe: () => (/* binding */ index),
/* harmony export */   Sl: () => (/* binding */ image),
/* harmony export */   V1: () => (/* binding */ imageDescriptor),
/* harmony export */   XU: () => (/* binding */ bytesBlob),
/* harmony export */   ge: () => (/* binding */ uniqueBlobs)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(68825);
/* harmony import */ var _media_types__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(29217);




function bytesBlob(mediaType, bytes) {
    return {
        descriptor: { mediaType, digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(bytes), size: bytes.length },
        open: async (offset) => node_stream__WEBPACK_IMPORTED_MODULE_1__.Readable.from([bytes.subarray(offset)])
    };
}
function fileBlob(descriptor, path, built) {
    return {
        descriptor,
        built,
        open: async (offset) => (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path, { start: offset, highWaterMark: 1024 * 1024 })
    };
}
/** Serialises JSON the same way every time (insertion order, no whitespace). */
function canonicalBytes(value) {
    return Buffer.from(JSON.stringify(value), 'utf8');
}
function image(platform, config, layers, annotations) {
    const configBlob = bytesBlob(_media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociConfig, canonicalBytes(config));
    const manifest = {
        schemaVersion: 2,
        mediaType: _media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociManifest,
        config: configBlob.descriptor,
        layers: layers.map(l => l.descriptor),
        ...(annotations && Object.keys(annotations).length ? { annotations } : {})
    };
    const manifestBytes = canonicalBytes(manifest);
    return {
        kind: 'image',
        platform,
        manifest,
        manifestBytes,
        digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(manifestBytes),
        config,
        configBlob,
        layers
    };
}
function imageDescriptor(img) {
    return {
        mediaType: img.manifest.mediaType,
        digest: img.digest,
        size: img.manifestBytes.length,
        platform: img.platform
    };
}
function index(images, annotations) {
    const value = {
        schemaVersion: 2,
        mediaType: _media_types__WEBPACK_IMPORTED_MODULE_3__/* .MediaType */ .zu.ociIndex,
        manifests: images.map(imageDescriptor),
        ...(annotations && Object.keys(annotations).length ? { annotations } : {})
    };
    const indexBytes = canonicalBytes(value);
    return {
        kind: 'index',
        index: value,
        indexBytes,
        digest: (0,_digest__WEBPACK_IMPORTED_MODULE_2__/* .sha256 */ .sc)(indexBytes),
        images
    };
}
/** The manifest (or index) bytes and media type a sink writes last. */
function topLevel(artifact) {
    return artifact.kind === 'image'
        ? {
            bytes: artifact.manifestBytes,
            mediaType: artifact.manifest.mediaType,
            digest: artifact.digest
        }
        : {
            bytes: artifact.indexBytes,
            mediaType: artifact.index.mediaType,
            digest: artifact.digest
        };
}
/** Every distinct blob of an artifact (layers shared across platforms appear once). */
function uniqueBlobs(artifact) {
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const seen = new Map();
    for (const img of images) {
        for (const blob of [...img.layers, img.configBlob]) {
            if (!seen.has(blob.descriptor.digest))
                seen.set(blob.descriptor.digest, blob);
        }
    }
    return [...seen.values()];
}


/***/ }),

/***/ 29217:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $P: () => (/* binding */ manifestMediaTypes),
/* harmony export */   nw: () => (/* binding */ isIndex),
/* harmony export */   pJ: () => (/* binding */ isImageManifest),
/* harmony export */   zu: () => (/* binding */ MediaType)
/* harmony export */ });
/** Media types of the OCI image spec and their Docker v2 schema 2 equivalents. */
const MediaType = {
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociConfig: 'application/vnd.oci.image.config.v1+json',
    ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    ociLayer: 'application/vnd.oci.image.layer.v1.tar',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerConfig: 'application/vnd.docker.container.image.v1+json',
    dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
};
/** Every manifest type a registry may answer with; sent as `Accept` when reading manifests. */
const manifestMediaTypes = [
    MediaType.ociIndex,
    MediaType.ociManifest,
    MediaType.dockerManifestList,
    MediaType.dockerManifest
];
function isIndex(mediaType) {
    return (mediaType === MediaType.ociIndex ||
        mediaType === MediaType.dockerManifestList);
}
function isImageManifest(mediaType) {
    return (mediaType === MediaType.ociManifest ||
        mediaType === MediaType.dockerManifest);
}


/***/ }),

/***/ 1890:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bq: () => (/* binding */ formatPlatform),
/* harmony export */   FL: () => (/* binding */ parsePlatform),
/* harmony export */   J5: () => (/* binding */ platformMatches)
/* harmony export */ });
const knownOs = new Set([
    'linux',
    'windows',
    'darwin',
    'freebsd',
    'netbsd',
    'openbsd',
    'solaris',
    'illumos',
    'aix',
    'plan9',
    'js',
    'wasip1'
]);
const knownArchitectures = new Set([
    'amd64',
    'arm64',
    'arm',
    '386',
    'ppc64le',
    'ppc64',
    's390x',
    'riscv64',
    'mips64le',
    'mips64',
    'mipsle',
    'mips',
    'loong64',
    'wasm'
]);
/** Parses `os/arch[/variant]`, e.g. `linux/arm64` or `linux/arm/v7`, rejecting unknown names. */
function parsePlatform(value) {
    const parts = value.trim().split('/');
    const [os, architecture, variant] = parts;
    if (parts.length < 2 ||
        parts.length > 3 ||
        !os ||
        !architecture ||
        variant === '') {
        throw new Error(`"${value}" is not a platform (expected os/arch or os/arch/variant, e.g. linux/arm64)`);
    }
    if (!knownOs.has(os))
        throw new Error(`"${value}": unknown operating system "${os}"`);
    if (!knownArchitectures.has(architecture)) {
        throw new Error(`"${value}": unknown architecture "${architecture}"`);
    }
    return variant === undefined
        ? { os, architecture }
        : { os, architecture, variant };
}
function formatPlatform(p) {
    return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
/**
 * Whether a base image's platform satisfies the requested one. A request without a variant matches
 * any variant, and arm64's implied `v8` matches its absence.
 */
function platformMatches(candidate, wanted) {
    if (candidate.os !== wanted.os ||
        candidate.architecture !== wanted.architecture)
        return false;
    if (wanted.variant === undefined)
        return true;
    const normalise = (p) => p.architecture === 'arm64' && p.variant === undefined ? 'v8' : p.variant;
    return normalise(candidate) === normalise(wanted);
}


/***/ }),

/***/ 62148:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   LN: () => (/* binding */ Repository),
/* harmony export */   OR: () => (/* binding */ Registry),
/* harmony export */   z7: () => (/* binding */ validateTag)
/* harmony export */ });
/* unused harmony export Reference */
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(68825);

/** Docker Hub as written in references and as the host its API lives on. */
const dockerHub = 'docker.io';
const dockerHubApiHost = 'index.docker.io';
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const hostPattern = /^(?:localhost|\[[0-9a-fA-F:]+\]|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
/** A registry host, normalised like go-containerregistry's `name.Registry`. */
class Registry {
    name;
    constructor(name) {
        this.name = name;
    }
    static parse(value) {
        const name = value === 'index.docker.io' || value === '' ? dockerHub : value;
        if (!hostPattern.test(name)) {
            throw new Error(`"${value}" is not a valid registry host`);
        }
        return new Registry(name);
    }
    /** The host the distribution API is served on (Docker Hub's differs from its name). */
    get apiHost() {
        return this.name === dockerHub ? dockerHubApiHost : this.name;
    }
    /** Loopback registries may be spoken to over plain HTTP without being listed as insecure. */
    get isLoopback() {
        const host = this.name.replace(/:[0-9]+$/, '');
        return (host === 'localhost' ||
            host === '[::1]' ||
            /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host));
    }
    toString() {
        return this.name;
    }
}
/** A repository in a registry: `ghcr.io/acme/api`, `docker.io/library/alpine`. */
class Repository {
    registry;
    path;
    constructor(registry, path) {
        this.registry = registry;
        this.path = path;
    }
    /** Parses a bare repository (no tag, no digest). */
    static parse(value) {
        const ref = parseReference(value);
        if (ref.tag !== undefined || ref.digest !== undefined) {
            throw new Error(`"${value}" must be a repository without a tag or digest (e.g. ghcr.io/acme/api)`);
        }
        return ref.repository;
    }
    /** @internal */
    static of(registry, path) {
        return new Repository(registry, path);
    }
    tag(tag) {
        return new Reference(this, validateTag(tag), undefined);
    }
    equals(other) {
        return this.toString() === other.toString();
    }
    toString() {
        return `${this.registry}/${this.path}`;
    }
}
/** A reference to an image by tag, by digest, or both (`name:tag@digest`). */
class Reference {
    repository;
    tag;
    digest;
    constructor(repository, tag, digest) {
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }
    /** What to ask the registry for: the digest when known, else the tag, else `latest`. */
    get identifier() {
        return this.digest ?? this.tag ?? 'latest';
    }
    toString() {
        let s = this.repository.toString();
        if (this.tag !== undefined)
            s += `:${this.tag}`;
        if (this.digest !== undefined)
            s += `@${this.digest}`;
        return s;
    }
}
function validateTag(tag) {
    if (!tagPattern.test(tag)) {
        throw new Error(`"${tag}" is not a valid tag (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
    }
    return tag;
}
/**
 * Parses an image reference the way go-containerregistry's `name.ParseReference` does: the first
 * path component is a registry when it has a dot, a port or is `localhost`; otherwise Docker Hub,
 * where one-component names live under `library/`.
 */
function parseReference(value) {
    const input = value.trim();
    if (input === '')
        throw new Error('the reference is empty');
    let rest = input;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        const d = rest.slice(at + 1);
        if (!(0,_digest__WEBPACK_IMPORTED_MODULE_0__/* .isDigest */ .Bc)(d)) {
            throw new Error(`"${input}" has an invalid digest "${d}" (expected sha256: and 64 lower-case hex characters)`);
        }
        digest = d;
        rest = rest.slice(0, at);
    }
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!tagPattern.test(tag)) {
            throw new Error(`"${input}" has an invalid tag "${tag}" (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
        }
    }
    const parts = rest.split('/');
    let registryName = '';
    const first = parts[0];
    if (parts.length > 1 &&
        (first.includes('.') ||
            first.includes(':') ||
            first === 'localhost' ||
            first.startsWith('['))) {
        registryName = first;
        parts.shift();
    }
    const registry = Registry.parse(registryName === '' ? dockerHub : registryName);
    if (registry.name === dockerHub && parts.length === 1)
        parts.unshift('library');
    const path = parts.join('/');
    if (path.length > 255) {
        throw new Error(`"${input}": the repository name is longer than 255 characters`);
    }
    for (const component of parts) {
        if (!componentPattern.test(component)) {
            const hint = /[A-Z]/.test(component)
                ? ' (repository names must be lower-case)'
                : '';
            throw new Error(`"${input}" is not a valid image reference: "${component}" is not a valid repository path component${hint}`);
        }
    }
    return new Reference(Repository.of(registry, path), tag, digest);
}


/***/ }),

/***/ 3048:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ rfc3339),
/* harmony export */   u: () => (/* binding */ lastRfc3339Second)
/* harmony export */ });
/** The last second an RFC 3339 time (four-digit year) can name: 9999-12-31T23:59:59Z. */
const lastRfc3339Second = 253402300799;
/** An RFC 3339 timestamp in UTC without fractional seconds, as images carry them. */
function rfc3339(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}


/***/ }),

/***/ 16839:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  a: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(76760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(83916);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(31421);
// EXTERNAL MODULE: ./src/util/text.ts
var util_text = __nccwpck_require__(49997);
;// CONCATENATED MODULE: ./src/git/git.ts


/** A git command that failed, with what git said. */
class GitError extends Error {
    args;
    stderr;
    code;
    constructor(args, stderr, 
    /** git's exit code (1 from `merge-base --is-ancestor` means "no"). */
    code) {
        super(`git ${args.join(' ')} failed: ${(0,util_text/* foreignText */.q)(stderr.trim().split('\n').slice(-3).join(' '), 500)}`);
        this.args = args;
        this.stderr = stderr;
        this.code = code;
        this.name = 'GitError';
    }
}
/**
 * Runs git with the environment the front end was given. Settings go through the environment,
 * not argv, where any process on the machine could read them (credentials among them).
 */
class Git {
    env;
    constructor(env) {
        this.env = env;
    }
    run(cwd, args, options = {}) {
        const env = { ...this.env, GIT_TERMINAL_PROMPT: '0' };
        const config = options.config ?? [];
        if (config.length) {
            env.GIT_CONFIG_COUNT = String(config.length);
            config.forEach((entry, i) => {
                const eq = entry.indexOf('=');
                env[`GIT_CONFIG_KEY_${i}`] = entry.slice(0, eq);
                env[`GIT_CONFIG_VALUE_${i}`] = entry.slice(eq + 1);
            });
        }
        return new Promise((resolve, reject) => {
            (0,external_node_child_process_.execFile)('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
                if (error) {
                    const code = error.code;
                    reject(new GitError(args, String(stderr || error.message), typeof code === 'number' ? code : undefined));
                }
                else
                    resolve(String(stdout).trim());
            });
        });
    }
    /** The output, or `undefined` when git fails (outside a checkout, an unknown commit). */
    tryRun(cwd, args) {
        return this.run(cwd, args).then(out => out || undefined, () => undefined);
    }
    /** Whether `ancestor` is an ancestor of `descendant`; `unknown` when a commit is missing. */
    isAncestor(cwd, ancestor, descendant) {
        return this.run(cwd, [
            'merge-base',
            '--is-ancestor',
            ancestor,
            descendant
        ]).then(() => 'yes', error => (error.code === 1 ? 'no' : 'unknown'));
    }
    async isShallow(cwd) {
        return ((await this.tryRun(cwd, ['rev-parse', '--is-shallow-repository'])) ===
            'true');
    }
    /** The repository's top directory, or `cwd` itself outside a checkout. */
    async topLevel(cwd) {
        return (await this.tryRun(cwd, ['rev-parse', '--show-toplevel'])) ?? cwd;
    }
    currentBranch(cwd) {
        return this.tryRun(cwd, ['symbolic-ref', '--short', 'HEAD']);
    }
}
/** What `git push` says when someone else pushed first: fetch, re-apply and try again. */
function isRejectedPush(error) {
    return (error instanceof GitError &&
        /non-fast-forward|fetch first|\[rejected\]|stale info|incorrect old value|failed to update ref|cannot lock ref/i.test(error.stderr));
}
/** Credentials for an https remote the way actions/checkout passes them: a header, scoped to the server. */
function tokenConfig(url, token) {
    if (!token || !/^https?:/.test(url))
        return [];
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    return [
        `http.${new URL(url).origin}/.extraheader=AUTHORIZATION: basic ${basic}`
    ];
}

// EXTERNAL MODULE: ./src/inputs/index.ts + 8 modules
var src_inputs = __nccwpck_require__(56958);
;// CONCATENATED MODULE: ./src/oci/annotations.ts
/** The OCI annotation (and label) keys Imprint writes: image-spec `annotations.md`. */
const annotationKeys = {
    baseName: 'org.opencontainers.image.base.name',
    baseDigest: 'org.opencontainers.image.base.digest',
    created: 'org.opencontainers.image.created',
    revision: 'org.opencontainers.image.revision',
    source: 'org.opencontainers.image.source',
    version: 'org.opencontainers.image.version'
};

// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(68825);
// EXTERNAL MODULE: ./src/oci/platform.ts
var oci_platform = __nccwpck_require__(1890);
;// CONCATENATED MODULE: ./src/report/result.ts

/** The result as far as the image goes: what was built, pushed (or not), under which tags. */
function imageResult(built) {
    const { artifact, base, push } = built;
    const all = (built.repositories ?? [built.repository]).map(String);
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const repository = built.repository.toString();
    return {
        digest: artifact.digest,
        repository,
        image: `${repository}@${artifact.digest}`,
        images: all.map(repo => `${repo}@${artifact.digest}`),
        tags: all.flatMap(repo => built.tags.map(tag => `${repo}:${tag}`)),
        configDigest: artifact.kind === 'image'
            ? artifact.configBlob.descriptor.digest
            : undefined,
        mediaType: artifact.kind === 'image'
            ? artifact.manifest.mediaType
            : artifact.index.mediaType,
        platforms: images.map(img => ({
            platform: (0,oci_platform/* formatPlatform */.Bq)(img.platform),
            digest: img.digest,
            configDigest: img.configBlob.descriptor.digest,
            layers: img.layers.map(layer => ({
                digest: layer.descriptor.digest,
                size: layer.descriptor.size,
                mediaType: layer.descriptor.mediaType,
                ...(layer.built
                    ? {
                        diffId: layer.built.diffId,
                        source: layer.built.source,
                        destination: layer.built.destination,
                        ...(layer.built.reusedFrom
                            ? { reusedFrom: layer.built.reusedFrom }
                            : {})
                    }
                    : {})
            }))
        })),
        base: base.name ? { name: base.name, digest: base.digest } : undefined,
        revision: built.revision,
        sourceDateEpoch: built.sourceDateEpoch,
        pushed: push !== undefined,
        push,
        ...(built.mirrors?.length ? { mirrors: built.mirrors } : {}),
        ociLayout: built.ociLayout,
        signatures: [],
        ...(built.pullRequest ? { pullRequest: built.pullRequest } : {})
    };
}

// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(29217);
// EXTERNAL MODULE: ./src/oci/types.ts
var types = __nccwpck_require__(3048);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(47812);
// EXTERNAL MODULE: ./src/registry/errors.ts
var registry_errors = __nccwpck_require__(6764);
;// CONCATENATED MODULE: ./src/registry/remote-image.ts



/** A platform as an image config states it (`os.version` and `os.features` included). */
function platformOfConfig(config) {
    const features = config['os.features'];
    return {
        os: config.os,
        architecture: config.architecture,
        ...(config.variant ? { variant: config.variant } : {}),
        ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
        ...(Array.isArray(features) && features.length
            ? { 'os.features': features }
            : {})
    };
}
/**
 * The image manifests of an index, but for attestations (`unknown/unknown`). An entry without a
 * `platform` is kept: its image's config says which platform it is.
 */
function imageEntries(index) {
    return index.manifests.filter(d => (0,media_types/* isImageManifest */.pJ)(d.mediaType) &&
        !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'));
}
/** `repo:tag` or `repo@digest`, for messages. */
function named(repo, reference) {
    return `${repo}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
}
function parse(bytes, what) {
    try {
        return JSON.parse(bytes.toString('utf8'));
    }
    catch {
        throw new Error(`${what} is not JSON`);
    }
}
/**
 * Reads one image from its manifest: the config is fetched (and checked against its digest),
 * layers stay remote until a sink reads them. `platform` is the index entry's, when read through
 * an index; otherwise the config's.
 */
async function remoteImage(client, repo, found, platform) {
    const manifest = parse(found.bytes, `${repo}@${found.digest}`);
    if (!manifest.config || !Array.isArray(manifest.layers))
        throw new Error(`${repo}@${found.digest} is not an image manifest`);
    const configBytes = await client.getBlobBytes(repo, manifest.config.digest);
    const config = parse(configBytes, `the config of ${repo}@${found.digest}`);
    const layers = manifest.layers.map(descriptor => ({
        descriptor,
        origin: repo,
        open: offset => client.getBlob(repo, descriptor.digest, { offset })
    }));
    return {
        kind: 'image',
        platform: platform ?? platformOfConfig(config),
        manifest,
        manifestBytes: found.bytes,
        digest: found.digest,
        config,
        configBlob: (0,oci_image/* bytesBlob */.XU)(manifest.config.mediaType, configBytes),
        layers
    };
}
/**
 * The one way an image already in a registry is read (go-containerregistry's `remote.Image` and
 * `remote.Index`): by tag or digest, an image or an index with the chosen platforms. `undefined`
 * when the reference does not exist.
 */
async function readRemote(client, repo, reference, options = {}) {
    const top = await client.findManifest(repo, reference);
    if (!top)
        return undefined;
    if ((0,media_types/* isIndex */.nw)(top.mediaType)) {
        const index = parse(top.bytes, named(repo, reference));
        const entries = imageEntries(index);
        const chosen = options.select ? options.select(entries) : entries;
        const images = await Promise.all(chosen.map(async (entry) => remoteImage(client, repo, await client.getManifest(repo, entry.digest), entry.platform)));
        const all = images.length === entries.length;
        return {
            digest: top.digest,
            mediaType: top.mediaType,
            index,
            images,
            ...(all
                ? {
                    artifact: {
                        kind: 'index',
                        index,
                        indexBytes: top.bytes,
                        digest: top.digest,
                        images
                    }
                }
                : {})
        };
    }
    if (!(0,media_types/* isImageManifest */.pJ)(top.mediaType)) {
        throw new registry_errors/* NotAnImage */.cw(named(repo, reference), top.mediaType);
    }
    const image = await remoteImage(client, repo, top);
    return {
        digest: top.digest,
        mediaType: top.mediaType,
        images: [image],
        artifact: image
    };
}

;// CONCATENATED MODULE: ./src/pipeline/base.ts





/** Docker's layer types are the same bytes as OCI's; writing OCI manifests keeps types unmixed. */
function ociLayerType(mediaType) {
    switch (mediaType) {
        case media_types/* MediaType */.zu.dockerLayerGzip:
            return media_types/* MediaType */.zu.ociLayerGzip;
        case media_types/* MediaType */.zu.dockerForeignLayer:
            return 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
        default:
            return mediaType;
    }
}
function emptyConfig(platform, epoch) {
    return {
        created: (0,types/* rfc3339 */.a)(epoch),
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: {},
        rootfs: { type: 'layers', diff_ids: [] },
        history: []
    };
}
function scratchBase(platforms, epoch) {
    return {
        name: '',
        platforms: platforms.map(platform => ({
            platform,
            config: emptyConfig(platform, epoch),
            layers: []
        }))
    };
}
/**
 * Resolves the base reference to a digest once, then reads the manifest and config of each
 * wanted platform. Layer bytes are not read here: sinks fetch them only if they lack them.
 */
async function resolveBase(reference, wanted, registries) {
    const name = reference.toString();
    const remote = await readRemote(registries.client(reference.repository.registry), reference.repository, reference.identifier, {
        select: all => {
            // A base is chosen from by the platforms its index states.
            const entries = all.filter(d => d.platform !== undefined);
            if (wanted === 'all')
                return entries;
            return wanted.map(platform => {
                const match = entries.find(d => (0,oci_platform/* platformMatches */.J5)(d.platform, platform));
                if (!match) {
                    const available = entries
                        .map(d => (0,oci_platform/* formatPlatform */.Bq)(d.platform))
                        .join(', ');
                    throw new Error(`base ${name} has no ${(0,oci_platform/* formatPlatform */.Bq)(platform)} image (it has: ${available})`);
                }
                return match;
            });
        }
    });
    if (!remote)
        throw new Error(`base ${name} does not exist`);
    if (!remote.index && wanted !== 'all') {
        const single = remote.images[0].platform;
        if (wanted.length !== 1 || !(0,oci_platform/* platformMatches */.J5)(single, wanted[0])) {
            throw new Error(`base ${name} is a single-platform image for ${(0,oci_platform/* formatPlatform */.Bq)(single)}; it cannot serve ${wanted.map(oci_platform/* formatPlatform */.Bq).join(', ')}`);
        }
    }
    return {
        name,
        digest: remote.digest,
        reference,
        platforms: remote.images.map(image => ({
            platform: image.platform,
            digest: image.digest,
            config: image.config,
            layers: image.layers.map(layer => ({
                ...layer,
                descriptor: {
                    ...layer.descriptor,
                    mediaType: ociLayerType(layer.descriptor.mediaType)
                }
            }))
        }))
    };
}
/**
 * Starts reading the base from its registry (nothing is logged), so that the run's git questions
 * and the registry's answers overlap; `baseStage` takes the result. Nothing to read for scratch.
 */
function startResolvingBase(inputs, registries) {
    if (inputs.base === 'scratch')
        return undefined;
    const resolving = resolveBase(inputs.base, inputs.platforms, registries);
    // A failure is the base stage's to report, in its turn.
    resolving.catch(() => { });
    return resolving;
}
/**
 * The base stage: the base resolved to a digest once for the run (scratch: an empty config per
 * platform), with the platforms it serves.
 */
function baseStage(inputs, context, registries, log, 
/** The resolution `startResolvingBase` began; else it is made now. */
resolving) {
    return log.group('Resolve base', async () => {
        if (inputs.base === 'scratch') {
            if (inputs.platforms === 'all')
                throw new errors/* InputError */.dz('platforms', '"all" needs a base image to take the platforms from');
            return scratchBase(inputs.platforms, context.sourceDateEpoch);
        }
        const resolved = await (resolving ??
            resolveBase(inputs.base, inputs.platforms, registries));
        log.info(`${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => (0,oci_platform/* formatPlatform */.Bq)(p.platform)).join(', ')})`);
        return resolved;
    });
}

;// CONCATENATED MODULE: ./src/pipeline/assemble.ts



/** The standard labels, from the run's facts; `created` is the source date, never the wall clock. */
function standardLabels(context) {
    const labels = {
        [annotationKeys.created]: (0,types/* rfc3339 */.a)(context.sourceDateEpoch)
    };
    if (context.sha)
        labels[annotationKeys.revision] = context.sha;
    if (context.sourceUrl)
        labels[annotationKeys.source] = context.sourceUrl;
    if (context.version)
        labels[annotationKeys.version] = context.version;
    return labels;
}
function mergeEnv(base, overrides) {
    const env = [...(base ?? [])];
    for (const [key, value] of overrides) {
        const i = env.findIndex(e => e.split('=', 1)[0] === key);
        if (i >= 0)
            env[i] = `${key}=${value}`;
        else
            env.push(`${key}=${value}`);
    }
    return env;
}
/**
 * The image config: the base's, with our layers appended to `rootfs` and `history`, and the
 * container settings from the inputs. Setting an entrypoint clears the base's cmd, as Docker does.
 */
function assembleConfig(base, layers, inputs, context) {
    const created = (0,types/* rfc3339 */.a)(context.sourceDateEpoch);
    const container = { ...(base.config ?? {}) };
    if (inputs.entrypoint) {
        container.Entrypoint = inputs.entrypoint;
        if (!inputs.cmd)
            delete container.Cmd;
    }
    if (inputs.cmd)
        container.Cmd = inputs.cmd;
    if (inputs.env.length)
        container.Env = mergeEnv(container.Env, inputs.env);
    if (inputs.workdir)
        container.WorkingDir = inputs.workdir;
    if (inputs.user)
        container.User = inputs.user;
    container.Labels = {
        ...(container.Labels ?? {}),
        ...standardLabels(context),
        ...inputs.labels
    };
    const history = [...(base.history ?? [])];
    for (const layer of layers) {
        history.push({
            created,
            created_by: `imprint: ${layer.built?.source ?? '?'} → ${layer.built?.destination ?? '?'}`,
            comment: `imprint, ${layer.built?.compressor ?? 'unknown compressor'}`
        });
    }
    return {
        ...base,
        created,
        config: container,
        rootfs: {
            type: 'layers',
            diff_ids: [
                ...base.rootfs.diff_ids,
                ...layers.map(l => {
                    if (!l.built)
                        throw new Error('assembleConfig: a built layer lacks its diffID');
                    return l.built.diffId;
                })
            ]
        },
        history
    };
}
function baseAnnotations(base, digest) {
    if (!base.name || !digest)
        return {};
    return {
        [annotationKeys.baseName]: base.name,
        [annotationKeys.baseDigest]: digest
    };
}
/** One image per platform on top of its base; an index when there is more than one platform. */
function assemble(base, layersPerPlatform, inputs, context) {
    const images = base.platforms.map((platform, i) => {
        const layers = layersPerPlatform[i];
        const config = assembleConfig(platform.config, layers, inputs, context);
        return (0,oci_image/* image */.Sl)(platform.platform, config, [...platform.layers, ...layers], {
            ...baseAnnotations(base, platform.digest),
            ...inputs.annotations
        });
    });
    if (images.length === 1)
        return images[0];
    return (0,oci_image/* index */.Pe)(images, {
        ...baseAnnotations(base, base.digest),
        ...inputs.annotations
    });
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(73024);
// EXTERNAL MODULE: ./src/layer/ignore.ts + 1 modules
var layer_ignore = __nccwpck_require__(28165);
;// CONCATENATED MODULE: ./src/util/slices.ts
/**
 * Long synchronous work (listing sources, writing an archive from files read ahead) runs in
 * slices: after `sliceMs` it lets the event loop run, so that registry answers, git and the
 * decompression of a previous blob go on beside it. One clock for every caller: several
 * listings or archives at once still hold the thread for one slice, not one slice each.
 */
const sliceMs = 5;
let sliceStarted = performance.now();
/** Lets other work run when this thread has been held for a slice; else returns at once. */
async function letOthersRun(signal) {
    if (performance.now() - sliceStarted <= sliceMs)
        return;
    await new Promise(setImmediate);
    signal?.throwIfAborted();
    sliceStarted = performance.now();
}

;// CONCATENATED MODULE: ./src/layer/collect.ts






function isInside(root, candidate) {
    const rel = (0,external_node_path_.relative)(root, candidate);
    return (rel === '' ||
        (rel !== '..' && !rel.startsWith(`..${external_node_path_.sep}`) && !(0,external_node_path_.isAbsolute)(rel)));
}
function normaliseMode(mode) {
    return mode & 0o111 ? 0o755 : 0o644;
}
/**
 * Sorted by the bytes of their paths. UTF-16 units sort as UTF-8 bytes do except for surrogate
 * pairs (characters above U+FFFF, which UTF-16 puts before U+E000–U+FFFF): only paths holding one
 * need their bytes compared, each path encoded once.
 */
function inByteOrder(entries) {
    if (!entries.some(entry => /[\uD800-\uDFFF]/.test(entry.path)))
        return entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return entries
        .map(entry => ({ entry, key: Buffer.from(entry.path) }))
        .sort((a, b) => Buffer.compare(a.key, b.key))
        .map(({ entry }) => entry);
}
/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 *
 * A directory source is filtered by the `exclude` patterns, then by those of its own
 * `.imprintignore` (which is never archived): `.dockerignore` rules, relative to the source. A
 * directory they exclude is not listed unless a `!` pattern could include something in it; the
 * directories above an entry included again get entries as if they had not been excluded. A file
 * source is taken whatever the patterns say: it was named.
 *
 * Directories get no entries unless they are empty: a runtime creates those a layer's files need
 * (`0755`, root) and keeps the base's own (`/tmp` stays `1777`, a user's home keeps its owner),
 * whether they are above the destination or inside the source (a source of `rootfs:/` holding
 * `tmp/`). With `ownDestination` (a layer owner other than root, which should own what it brings)
 * every directory of the source and the destination get entries.
 */
async function collectEntries(root, source, destination, warn, options = {}) {
    const realRoot = await (0,promises_.realpath)(root);
    const sourcePath = (0,external_node_path_.resolve)(realRoot, source);
    if (!isInside(realRoot, sourcePath)) {
        throw new Error(`source "${source}" is outside working-directory`);
    }
    const info = await (0,promises_.lstat)(sourcePath).catch(() => undefined);
    if (!info)
        throw new Error(`source "${source}" does not exist in ${root}`);
    // realpath resolves symlinks in every component, not only the last one: a symlinked parent
    // directory must not lead outside the working directory either.
    const actualPath = await (0,promises_.realpath)(sourcePath).catch(() => {
        throw new Error(`source "${source}" is a broken symlink`);
    });
    if (!isInside(realRoot, actualPath)) {
        throw new Error(`source "${source}" resolves through a symlink to a path outside working-directory`);
    }
    const actual = await (0,promises_.lstat)(actualPath);
    const dest = external_node_path_.posix
        .normalize(destination)
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
    const entries = [];
    if (actual.isDirectory()) {
        const patterns = [
            ...(options.exclude ?? []),
            ...readIgnoreFile(actualPath, external_node_path_.posix.join(source, layer_ignore/* IGNORE_FILE */.SV))
        ];
        const rules = patterns.length ? new layer_ignore/* IgnoreRules */.w0(patterns) : undefined;
        if (dest !== '' && options.ownDestination)
            entries.push({ type: 'dir', path: dest, mode: 0o755 });
        const state = {
            entries,
            warn,
            ignore: rules && { rules, excluded: options.excluded, pending: [] },
            left: 0,
            skip: new Set(await Promise.all((options.skip ?? []).map(path => realLocation(path)))),
            signal: options.signal
        };
        const before = entries.length;
        options.signal?.throwIfAborted();
        await walk(actualPath, dest, '', rules?.top ?? [], state);
        if (entries.length === before && state.left > 0)
            warn(`source "${source}": the exclude patterns leave nothing in this layer`);
    }
    else if (actual.isFile()) {
        const target = destination.endsWith('/') || dest === ''
            ? external_node_path_.posix.join(dest, external_node_path_.posix.basename(source.replace(/\/+$/, '')))
            : dest;
        entries.push({
            type: 'file',
            path: target,
            mode: normaliseMode(actual.mode),
            size: actual.size,
            source: actualPath,
            identity: { dev: actual.dev, ino: actual.ino }
        });
    }
    else {
        throw new Error(`source "${source}" is neither a file nor a directory`);
    }
    return inByteOrder(options.ownDestination ? entries : withoutImpliedDirectories(entries));
}
/**
 * Leaves out the entries of directories that hold something: a runtime creates them when it
 * unpacks what is inside (`0755`, root: what their entries would say), and keeps the base's own
 * (a source holding `tmp/` must not make the base's `/tmp` `0755`). Empty directories keep their
 * entries, or they would not exist.
 */
function withoutImpliedDirectories(entries) {
    const parents = new Set(entries.map(({ path }) => path.slice(0, Math.max(0, path.lastIndexOf('/')))));
    return entries.filter(entry => entry.type !== 'dir' || !parents.has(entry.path));
}
function add(state, entry) {
    const pending = state.ignore?.pending;
    if (pending?.length) {
        for (const path of pending)
            state.entries.push({ type: 'dir', path, mode: 0o755 });
        pending.length = 0;
    }
    state.entries.push(entry);
}
/**
 * Reads a source's `.imprintignore` without following a link (a symlink is refused, as is anything
 * but a regular file); none gives no patterns.
 */
function readIgnoreFile(dir, shown) {
    let fd;
    try {
        // O_NONBLOCK: a FIFO in its place must not hang the build.
        fd = (0,external_node_fs_.openSync)((0,external_node_path_.join)(dir, layer_ignore/* IGNORE_FILE */.SV), external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW | external_node_fs_.constants.O_NONBLOCK);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOENT')
            return [];
        throw new errors/* InputError */.dz('exclude', code === 'ELOOP'
            ? `${shown} is a symlink; it is read without following links: make it a regular file`
            : `${shown} cannot be read (${(0,errors/* messageOf */.bD)(error)})`);
    }
    try {
        const info = (0,external_node_fs_.fstatSync)(fd);
        if (!info.isFile())
            throw new errors/* InputError */.dz('exclude', `${shown} is not a regular file`);
        if (info.size > 1 << 20)
            throw new errors/* InputError */.dz('exclude', `${shown} is larger than 1 MiB`);
        return (0,layer_ignore/* parseIgnoreFile */.a0)((0,external_node_fs_.readFileSync)(fd, 'utf8'), shown);
    }
    catch (error) {
        throw error instanceof errors/* InputError */.dz
            ? error
            : new errors/* InputError */.dz('exclude', (0,errors/* messageOf */.bD)(error));
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/**
 * Lists a directory tree depth-first. Its system calls are synchronous on purpose: a `node_modules`
 * has tens of thousands of entries, and one round trip to the thread pool per listing and stat
 * would cost more than the calls themselves. Between directories it lets the event loop run
 * now and then (`letOthersRun`): sources are listed from the start of a run, beside its git and
 * registry questions.
 *
 * `rel` is the directory's path in the source (empty at its top), what the patterns are matched
 * against; `matched` says which patterns matched it or a directory above it.
 */
async function walk(dir, prefix, rel, matched, state) {
    await letOthersRun(state.signal);
    let children;
    try {
        children = (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true });
    }
    catch (error) {
        throw changedWhileListed(dir, error);
    }
    const ignore = state.ignore;
    for (const child of children) {
        if (rel === '' && child.name === layer_ignore/* IGNORE_FILE */.SV)
            continue;
        // Joined by hand: `dir` is already normal, and path.join's normalising showed in profiles.
        const fsPath = dir.endsWith(external_node_path_.sep)
            ? `${dir}${child.name}`
            : `${dir}${external_node_path_.sep}${child.name}`;
        const path = prefix === '' ? child.name : `${prefix}/${child.name}`;
        const relPath = rel === '' ? child.name : `${rel}/${child.name}`;
        if (child.isDirectory() && state.skip.has(fsPath))
            continue;
        if (child.isDirectory()) {
            let below = matched;
            if (ignore) {
                const verdict = ignore.rules.directory(relPath, matched);
                below = verdict.matched;
                if (verdict.excluded) {
                    if (!ignore.rules.mayIncludeBelow(relPath)) {
                        state.left++;
                        ignore.excluded?.(`${relPath}/`);
                        continue;
                    }
                    // Listed only for what a `!` pattern includes again; its entry comes with the first.
                    const mark = ignore.pending.length;
                    ignore.pending.push(path);
                    await walk(fsPath, path, relPath, below, state);
                    ignore.pending.length = Math.min(ignore.pending.length, mark);
                    continue;
                }
            }
            add(state, { type: 'dir', path, mode: 0o755 });
            await walk(fsPath, path, relPath, below, state);
            continue;
        }
        if (ignore?.rules.excludesFile(relPath, matched)) {
            state.left++;
            ignore.excluded?.(relPath);
            continue;
        }
        try {
            if (child.isSymbolicLink()) {
                add(state, { type: 'symlink', path, target: (0,external_node_fs_.readlinkSync)(fsPath) });
            }
            else if (child.isFile()) {
                const info = (0,external_node_fs_.lstatSync)(fsPath);
                if (!info.isFile())
                    throw new Error('it is no longer a regular file');
                add(state, {
                    type: 'file',
                    path,
                    mode: normaliseMode(info.mode),
                    size: info.size,
                    source: fsPath,
                    identity: { dev: info.dev, ino: info.ino }
                });
            }
            else {
                state.warn(`${fsPath} is not a regular file, directory or symlink; left out of the layer`);
            }
        }
        catch (error) {
            // A concurrent step changing the tree gives system errors (EINVAL, ENOENT): say what happened.
            throw changedWhileListed(fsPath, error);
        }
    }
}
/**
 * Where a path really is, as the walk (which starts from a real path) meets it: the real path of
 * its nearest existing ancestor, then the rest (it may not exist yet).
 */
async function realLocation(path) {
    const rest = [];
    for (let at = (0,external_node_path_.resolve)(path);;) {
        try {
            return (0,external_node_path_.join)(await (0,promises_.realpath)(at), ...rest.reverse());
        }
        catch {
            const parent = (0,external_node_path_.dirname)(at);
            if (parent === at)
                return (0,external_node_path_.resolve)(path);
            rest.push((0,external_node_path_.basename)(at));
            at = parent;
        }
    }
}
function changedWhileListed(path, error) {
    return new Error(`${path} changed while the layer was being collected (${error.message}); nothing may change the sources while Imprint runs`);
}

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/layer/read-ahead.ts

/**
 * The memory files are read into, shared with the reader and reused round and round: at most this
 * much content is read ahead of the tar stream. Allocating per file or per batch instead cost a
 * page fault per 4 KiB read (150,000 for a 170 MB tree), more than the reads themselves. It holds
 * two of the largest files read here, so a file that does not fit at the end always fits at the
 * start once what is before it was taken.
 */
const ringBytes = 8 * 1024 * 1024;
/** The largest file read ahead: half the ring (see above). */
const largestReadAhead = ringBytes / 2;
// The shared counters (Int32 slots).
/** Bytes of the ring not holding content the stream has yet to take. */
const FREE = 0;
/** Files read so far, in order (the reader's progress). */
const READ = 1;
/**
 * A stream waiting for files is woken once this much (content and a header's worth per file) was
 * read since it last was: waking it per file cost more than reading a small file.
 */
const tellEvery = 256 * 1024;
/** Where each file goes in the ring: after the one before, or at the start when it does not fit. */
function placement(size, at) {
    return at + size > ringBytes
        ? { offset: 0, skip: ringBytes - at }
        : { offset: at, skip: 0 };
}
/**
 * The reader thread: opens each file without following a link, checks it is the file the walk
 * listed (device, inode, regular, same size) and reads it whole into the ring, in order, never more
 * than the ring's free bytes ahead of the stream. `placement` is written twice (here and above), as
 * a worker's source cannot import it; the test of a full ring keeps both in step.
 */
const readerSource = `;(() => {
const fs = require('node:fs')
const { parentPort } = require('node:worker_threads')
// Started before its files are known (see warmReader): the work comes as one message.
parentPort.once('message', ({ sources, sizes, identities, ring, counters, ringBytes }) => {
const paths = sources.split('\\0')
const memory = Buffer.from(ring)
const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
const FREE = ${FREE}, READ = ${READ}
let at = 0
// A stream waiting for files is woken once per batch, not per file (each wake is a task).
let untold = 0
const tellEvery = ${tellEvery}
const tell = () => {
  untold = 0
  Atomics.notify(counters, READ)
}
const fail = (index, why) => {
  tell()
  parentPort.postMessage({ index, why })
}
for (let i = 0; i < paths.length; i++) {
  const size = sizes[i]
  const skip = at + size > ringBytes ? ringBytes - at : 0
  const need = skip + size
  for (let free = Atomics.load(counters, FREE); free < need; free = Atomics.load(counters, FREE)) {
    tell()
    Atomics.wait(counters, FREE, free, 1000)
  }
  if (skip) at = 0
  let fd
  try {
    fd = fs.openSync(paths[i], flags)
  } catch (error) {
    return fail(i, error.message)
  }
  let why
  try {
    const info = fs.fstatSync(fd)
    const dev = identities[2 * i], ino = identities[2 * i + 1]
    if (!info.isFile() || (dev >= 0 && (info.dev !== dev || info.ino !== ino)))
      why = 'it is no longer the file that was listed'
    else if (info.size !== size)
      why = size + ' bytes expected, ' + info.size + ' found'
    else {
      let read = 0
      while (read < size) {
        const n = fs.readSync(fd, memory, at + read, size - read, read)
        if (n === 0) break
        read += n
      }
      if (read !== size) why = size + ' bytes expected, ' + read + ' found'
    }
  } catch (error) {
    why = error.message
  } finally {
    fs.closeSync(fd)
  }
  if (why !== undefined) return fail(i, why)
  at += size
  Atomics.sub(counters, FREE, need)
  Atomics.store(counters, READ, i + 1)
  untold += size + 512
  if (untold >= tellEvery) tell()
}
tell()
})
})()
`;
function startReader() {
    return new external_node_worker_threads_namespaceObject.Worker(readerSource, { eval: true });
}
/** A reader thread started ahead of need, waiting for its files (see `warmReader`). */
let warm;
/**
 * Starts a reader thread now, for the first layer of many small files to take: a thread takes
 * 50–80 ms to start, which the run otherwise waits for once its sources are listed. It waits
 * without keeping the process alive, and is ended (`dropWarmReader`) once the listings show no
 * layer needs it, or when the run ends.
 */
function warmReader() {
    if (warm)
        return;
    warm = startReader();
    warm.unref();
    // A thread that fails to start is no worse than none: the layer starts its own.
    const forget = () => {
        warm = undefined;
    };
    warm.once('error', forget);
    warm.once('exit', forget);
}
/** Ends the warm reader thread, if no layer took it (it holds 19 MB). */
function dropWarmReader() {
    const worker = takeWarmReader();
    // Still starting, it may yet report an error: heard here, as nobody else listens.
    worker?.on('error', () => { });
    void worker?.terminate();
}
function takeWarmReader() {
    const worker = warm;
    warm = undefined;
    worker?.removeAllListeners();
    return worker;
}
/**
 * Reads the small files of a layer on another thread, ahead of the tar stream, in its order: the
 * per-file system calls (open, stat, read, close) run on the second core while this one builds
 * headers, hashes and compresses. `content(i)` hands each file's bytes over in order, as a view of
 * the shared ring that stays valid until the next call: the caller copies or hashes it first.
 */
class ReadAhead {
    files;
    worker;
    ring = new SharedArrayBuffer(ringBytes);
    counters = new Int32Array(new SharedArrayBuffer(8));
    failure;
    ended;
    next = 0;
    at = 0;
    /** Ring bytes of the file handed out last, given back on the next call. */
    lent = 0;
    constructor(files) {
        this.files = files;
        for (const file of files)
            if (file.size > largestReadAhead)
                throw new Error(`${file.source}: ${file.size} bytes is too large to read ahead`);
        Atomics.store(this.counters, FREE, ringBytes);
        // Plain arrays and one string: copied to the thread at once, not one object per file.
        const identities = new Float64Array(files.length * 2).fill(-1);
        files.forEach((file, i) => {
            if (file.identity) {
                identities[2 * i] = file.identity.dev;
                identities[2 * i + 1] = file.identity.ino;
            }
        });
        this.worker = takeWarmReader() ?? startReader();
        this.worker.ref();
        this.worker.postMessage({
            sources: files.map(f => f.source).join('\0'),
            sizes: Float64Array.from(files, f => f.size),
            identities,
            ring: this.ring,
            counters: this.counters,
            ringBytes
        });
        this.worker.on('message', (failure) => {
            this.failure = failure;
            this.wake();
        });
        this.worker.on('error', error => this.end(error));
        this.worker.on('exit', () => this.end(new Error('the file reader stopped early')));
    }
    /**
     * The content of file `index` (asked for in order), or a failure naming why it could not be
     * read as listed. The bytes are lent: the next call reuses them.
     */
    async content(index) {
        if (index !== this.next)
            throw new Error(`files are read in order: ${this.next} expected, not ${index}`);
        this.giveBack();
        while (Atomics.load(this.counters, READ) <= index) {
            if (this.failure?.index === index)
                throw new ReadFailure(this.files[index].source, this.failure.why);
            if (this.ended)
                throw this.ended;
            const waiting = Atomics.waitAsync(this.counters, READ, Atomics.load(this.counters, READ), 1000);
            if (waiting.async)
                await waiting.value;
        }
        const { size } = this.files[index];
        const { offset, skip } = placement(size, this.at);
        this.at = offset + size;
        this.lent = skip + size;
        this.next++;
        return Buffer.from(this.ring, offset, size);
    }
    /** Stops the reader (the stream ended or failed). */
    async close() {
        await this.worker.terminate();
    }
    /** The stream is done with the file lent last: the reader may fill its bytes again. */
    giveBack() {
        if (this.lent === 0)
            return;
        Atomics.add(this.counters, FREE, this.lent);
        Atomics.notify(this.counters, FREE);
        this.lent = 0;
    }
    end(error) {
        this.ended ??= error;
        this.wake();
    }
    /** Wakes a `content` waiting for a file that will not come. */
    wake() {
        Atomics.notify(this.counters, READ);
    }
}
/** A file that could not be read as the walk listed it. */
class ReadFailure extends Error {
    source;
    constructor(source, why) {
        super(`${source} changed while the layer was being written (${why}); nothing may change the sources while Imprint runs`);
        this.source = source;
        this.name = 'ReadFailure';
    }
}

;// CONCATENATED MODULE: ./src/layer/tar.ts




const block = 512;
const maxOctal11 = 0o77777777777;
/** Files up to this size are read whole (ahead, on another thread, when there are many). */
const smallFileLimit = largestReadAhead;
const readChunk = 1024 * 1024;
const flushAt = 256 * 1024;
/** From this many small files on, they are read on another thread (starting one costs ~30 ms). */
const readAheadFrom = 512;
function writeString(buf, offset, length, value) {
    buf.write(value, offset, length, 'utf8');
}
function writeOctal(buf, offset, length, value) {
    // length - 1 octal digits, then NUL; written digit by digit (a header has six of these).
    let rest = value;
    for (let at = offset + length - 2; at >= offset; at--) {
        buf[at] = 0x30 + (rest % 8);
        rest = Math.floor(rest / 8);
    }
    if (rest > 0)
        throw new Error(`${value} does not fit a ${length}-byte tar header field`);
    buf[offset + length - 1] = 0;
}
function needsPax(value, limit) {
    return Buffer.byteLength(value) > limit || /[^\x20-\x7e]/.test(value);
}
function paxRecord(key, value) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body);
    // The length prefix counts its own digits.
    while (String(length).length + Buffer.byteLength(body) !== length) {
        length = String(length).length + Buffer.byteLength(body);
    }
    return `${length}${body}`;
}
function ustarHeader(name, typeflag, mode, size, linkname, options, header = Buffer.alloc(block)) {
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, mode);
    writeOctal(header, 108, 8, options.uid);
    writeOctal(header, 116, 8, options.gid);
    writeOctal(header, 124, 12, size);
    writeOctal(header, 136, 12, options.mtime);
    header.fill(0x20, 148, 156);
    writeString(header, 156, 1, typeflag);
    writeString(header, 157, 100, linkname);
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    writeOctal(header, 329, 8, 0);
    writeOctal(header, 337, 8, 0);
    let sum = 0;
    for (let i = 0; i < block; i++)
        sum += header[i];
    writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    return header;
}
/**
 * Puts the header blocks of one entry: a PAX extended header first when the name or link target
 * is too long or not plain ASCII, or the size or time does not fit its octal field.
 */
function putHeader(out, entry, options, 
/** `options` with the time cut to what the octal field holds (the PAX record has it whole). */
clamped, scratch) {
    const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const linkname = entry.type === 'symlink' ? entry.target : '';
    const size = entry.type === 'file' ? entry.size : 0;
    const mode = entry.type === 'symlink' ? 0o777 : entry.mode;
    const typeflag = entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2';
    let pax = '';
    if (needsPax(name, 100))
        pax += paxRecord('path', name);
    if (needsPax(linkname, 100))
        pax += paxRecord('linkpath', linkname);
    if (size > maxOctal11)
        pax += paxRecord('size', String(size));
    if (options.mtime > maxOctal11)
        pax += paxRecord('mtime', String(options.mtime));
    if (pax !== '') {
        const paxBody = Buffer.from(pax, 'utf8');
        out.put(ustarHeader('PaxHeader', 'x', 0o644, paxBody.length, '', clamped));
        out.put(paxBody);
        const rest = paxBody.length % block;
        if (rest)
            out.zeros(block - rest);
    }
    scratch.fill(0);
    out.put(ustarHeader(asciiPrefix(name, 100), typeflag, mode, Math.min(size, maxOctal11) === size ? size : 0, asciiPrefix(linkname, 100), clamped, scratch));
}
/** A stand-in for readers without PAX support: the printable ASCII part of the name, cut to fit. */
function asciiPrefix(value, limit) {
    const ascii = value.replace(/[^\x20-\x7e]/g, '_');
    return ascii.length > limit ? ascii.slice(0, limit) : ascii;
}
/**
 * Gathers the archive into chunks of `flushAt` bytes, copying each small piece once, so the
 * compressor sees large writes and no object is made per header, file or padding.
 */
class Chunker {
    chunk = Buffer.allocUnsafe(flushAt);
    used = 0;
    full = [];
    keepsNothing = false;
    put(bytes, lent = false) {
        if (bytes.length >= flushAt && !lent) {
            // A large piece (a chunk of a large file) goes as it is, after what came before it.
            this.flush();
            this.full.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
            return;
        }
        let from = 0;
        while (from < bytes.length) {
            const n = Math.min(bytes.length - from, flushAt - this.used);
            this.chunk.set(bytes.subarray(from, from + n), this.used);
            this.used += n;
            from += n;
            if (this.used === flushAt)
                this.flush();
        }
    }
    zeros(length) {
        let left = length;
        while (left > 0) {
            const n = Math.min(left, flushAt - this.used);
            this.chunk.fill(0, this.used, this.used + n);
            this.used += n;
            left -= n;
            if (this.used === flushAt)
                this.flush();
        }
    }
    /** Everything put, as chunks: call once the archive is written. */
    end() {
        this.flush();
        return this.full.splice(0);
    }
    flush() {
        if (this.used === 0)
            return;
        this.full.push(this.chunk.subarray(0, this.used));
        this.chunk = Buffer.allocUnsafe(flushAt);
        this.used = 0;
    }
}
const zeroBlocks = Buffer.alloc(2 * block);
/**
 * Hashes the archive as it is written: no chunk is gathered (or copied, or allocated), which is
 * what makes checking an unchanged layer cheaper than building it.
 */
class HashSink {
    hash;
    size = 0;
    /** Always empty: nothing is passed on. */
    full = [];
    keepsNothing = true;
    constructor(hash) {
        this.hash = hash;
    }
    put(bytes) {
        this.hash.update(bytes);
        this.size += bytes.length;
    }
    zeros(length) {
        for (let left = length; left > 0; left -= zeroBlocks.length)
            this.put(zeroBlocks.subarray(0, Math.min(left, zeroBlocks.length)));
    }
}
/**
 * Streams a tar archive of `entries` in the given order, reading file contents from disk as it
 * goes; output comes in chunks of a few hundred KiB so that the compressor sees large writes.
 */
async function* tarStream(entries, options) {
    const out = new Chunker();
    const writing = writeArchive(entries, options, out);
    try {
        while (!(await writing.next()).done)
            while (out.full.length)
                yield out.full.shift();
        yield* out.end();
    }
    finally {
        // A consumer that stops early (a failed compressor, a full disk) ends the writer too: its
        // reader thread and open file are closed, or the process would never exit.
        await writing.return(undefined);
    }
}
/** The archive of `entries` hashed into `hash` without being kept; returns its size. */
async function tarHash(entries, options, hash) {
    const out = new HashSink(hash);
    const writing = writeArchive(entries, options, out);
    while (!(await writing.next()).done)
        ;
    return out.size;
}
/** The small files the archive of `entries` reads on another thread, if it is worth one. */
function readAheadFiles(entries) {
    const small = entries.filter((e) => e.type === 'file' && e.size <= smallFileLimit);
    return small.length >= readAheadFrom ? small : undefined;
}
/** Whether the archive of `entries` reads its files on another thread (`ReadAhead`). */
function readsAhead(entries) {
    return readAheadFiles(entries) !== undefined;
}
/**
 * Writes the archive into `out`, yielding whenever `out` holds chunks to pass on (so a stream's
 * consumer sets the pace).
 */
async function* writeArchive(entries, options, out) {
    const scratch = Buffer.alloc(block);
    const clamped = { ...options, mtime: Math.min(options.mtime, maxOctal11) };
    // The many small files of a dependency tree are read whole, on another thread ahead of the
    // stream when there are many (their system calls then run beside the hashing and compression),
    // else here, synchronously: a round trip to the thread pool per open, stat, read and close
    // would cost more than the calls themselves.
    const small = readAheadFiles(entries);
    const ahead = small && new ReadAhead(small);
    let smallIndex = 0;
    /** This archive's read buffer for large files, when `out` keeps nothing. */
    let reused;
    try {
        for (const entry of entries) {
            // Files read ahead come as resolved promises, which never let the event loop run: without a
            // pause now and then, what runs beside the archive (the check of a previous image's blob:
            // its download and decompression) would wait for the whole archive.
            await letOthersRun();
            putHeader(out, entry, options, clamped, scratch);
            if (entry.type === 'file') {
                if (entry.size <= smallFileLimit) {
                    if (ahead)
                        out.put(await ahead.content(smallIndex++), true);
                    else
                        out.put(readSmall(entry));
                }
                else {
                    const handle = await openChecked(entry);
                    try {
                        // Fresh memory per chunk cost a page fault per 4 KiB: reused when nothing is kept.
                        if (out.keepsNothing)
                            reused ??= Buffer.allocUnsafe(readChunk);
                        for await (const chunk of readLarge(entry, handle, reused)) {
                            out.put(chunk);
                            if (out.full.length)
                                yield;
                        }
                    }
                    finally {
                        await handle.close();
                    }
                }
                const rest = entry.size % block;
                if (rest)
                    out.zeros(block - rest);
            }
            if (out.full.length)
                yield;
        }
    }
    finally {
        await ahead?.close();
    }
    out.zeros(block * 2);
}
/**
 * Opens the file an entry was made from, without following a link at its last component, and
 * checks it is the very file that was listed: a file swapped for a link (or another file) after
 * the walk is refused, so a concurrent step cannot put a host file into the image.
 */
async function openChecked(entry) {
    let handle;
    try {
        handle = await (0,promises_.open)(entry.source, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW);
    }
    catch (error) {
        throw changed(entry, error.message);
    }
    const info = await handle.stat();
    const { identity } = entry;
    if (!info.isFile() ||
        (identity && (info.dev !== identity.dev || info.ino !== identity.ino))) {
        await handle.close();
        throw changed(entry, 'it is no longer the file that was listed');
    }
    return handle;
}
/** `openChecked` and a whole read, synchronously, for a file of at most a few MiB. */
function readSmall(entry) {
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(entry.source, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW);
    }
    catch (error) {
        throw changed(entry, error.message);
    }
    try {
        const info = (0,external_node_fs_.fstatSync)(fd);
        const { identity } = entry;
        if (!info.isFile() ||
            (identity && (info.dev !== identity.dev || info.ino !== identity.ino)))
            throw changed(entry, 'it is no longer the file that was listed');
        assertSize(entry, info.size);
        const buffer = Buffer.allocUnsafe(entry.size);
        let read = 0;
        while (read < buffer.length) {
            const n = (0,external_node_fs_.readSync)(fd, buffer, read, buffer.length - read, read);
            if (n === 0)
                break;
            read += n;
        }
        assertSize(entry, read);
        return buffer;
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
function changed(entry, why) {
    return new Error(`${entry.source} changed while the layer was being written (${why}); nothing may change the sources while Imprint runs`);
}
/**
 * A large file's content in chunks of `readChunk`, each in new memory, or in `reused` (valid until
 * the next chunk is asked for).
 */
async function* readLarge(entry, handle, reused) {
    let position = 0;
    while (position < entry.size) {
        const length = Math.min(readChunk, entry.size - position);
        const buffer = reused
            ? reused.subarray(0, length)
            : Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0)
            break;
        position += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
    const extra = await handle.read(Buffer.alloc(1), 0, 1, position);
    assertSize(entry, position + extra.bytesRead);
}
function assertSize(entry, actual) {
    if (actual !== entry.size) {
        throw changed(entry, `${entry.size} bytes expected, ${actual} found`);
    }
}

// EXTERNAL MODULE: ./src/layer/layer-spec.ts
var layer_spec = __nccwpck_require__(20250);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(77598);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(57075);
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(38522);
;// CONCATENATED MODULE: ./src/layer/layer.ts









/** gzip level 6 (zlib's default) is pinned: a different level gives different bytes and digests. */
const gzipLevel = 6;
/** zstd level 3 (zstd's default), single-threaded so the output does not depend on scheduling. */
const zstdLevel = 3;
/**
 * Names the compressor settings in each layer's history entry. A previous image's layer is only
 * reused for a diffID when it was written with the same settings, so a reused layer has the
 * digest a full build would give.
 */
function compressorId(compression) {
    return compression === 'gzip'
        ? `gzip level ${gzipLevel}`
        : `zstd level ${zstdLevel}`;
}
function layerMediaType(compression) {
    return compression === 'gzip'
        ? media_types/* MediaType */.zu.ociLayerGzip
        : media_types/* MediaType */.zu.ociLayerZstd;
}
function compressor(compression) {
    if (compression === 'zstd') {
        return (0,external_node_zlib_.createZstdCompress)({
            params: {
                [external_node_zlib_.constants.ZSTD_c_compressionLevel]: zstdLevel,
                [external_node_zlib_.constants.ZSTD_c_checksumFlag]: 1
            }
        });
    }
    // zlib writes a gzip header without name and with mtime 0, so only the level matters.
    return (0,external_node_zlib_.createGzip)({ level: gzipLevel, chunkSize: 64 * 1024 });
}
/**
 * Output per decompression step. Each step runs on this thread, into one reused buffer (see
 * `Decompressor`), and the thread is let go between steps now and then (`letOthersRun`).
 */
const decompressChunk = 1024 * 1024;
/** A decompressing stream for a layer media type, or undefined for types we do not read. */
function decompressorFor(mediaType, 
/** Its own output buffer's size: only the stream API uses one (`Decompressor` has its own). */
chunkSize) {
    const options = chunkSize ? { chunkSize } : {};
    if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip'))
        return (0,external_node_zlib_.createGunzip)(options);
    if (mediaType.endsWith('+zstd'))
        return (0,external_node_zlib_.createZstdDecompress)(options);
    return undefined;
}
/**
 * Node's zlib internals are driven (`Decompressor`) only on the major they were read from and are
 * tested on: the native write checks its arguments with assertions that abort the process, so a
 * changed signature would not throw. Elsewhere the stream API does the work, with fresh memory for
 * every chunk.
 */
const zlibInternalsVerified = process.versions.node.split('.')[0] === '24';
/**
 * Decompresses on this thread into one output buffer, reused for every step, by driving Node's
 * zlib handle the way `zlib.gunzipSync` does (`processChunkSync`), as no public API writes into
 * a given buffer. The stream API allocates every output chunk afresh: checking a 170 MB layer
 * took 0.8 s that way, 0.4 s of it page faults on the new memory, against 0.37 s here. Used on
 * the Node major it was checked against (`zlibInternalsVerified`); a handle that is missing or
 * closed makes `write` throw, and the caller builds the layer instead.
 */
class Decompressor {
    stream;
    take;
    output = Buffer.allocUnsafe(decompressChunk);
    internals;
    constructor(stream, 
    /** Hears each piece of output before the next is made into the same memory. */
    take) {
        this.stream = stream;
        this.take = take;
        this.internals = stream;
        // Errors are read from `errored` right after each step; the event comes later.
        stream.on('error', () => { });
    }
    async write(input) {
        await this.step(input, this.internals._defaultFlushFlag);
    }
    /** Flushes what is left and checks the stream ended (and its checksum). */
    async end() {
        await this.step(new Uint8Array(0), this.internals._finishFlushFlag);
    }
    close() {
        if (!this.stream.destroyed)
            this.stream.close();
    }
    async step(input, flush) {
        const state = this.internals._writeState;
        let offset = 0;
        let left = input.length;
        for (;;) {
            const handle = this.internals._handle;
            if (this.stream.destroyed || !handle || state?.length !== 2)
                throw this.stream.errored ?? new Error('the decompressor is closed');
            handle.writeSync(flush, input, offset, left, this.output, 0, this.output.length);
            // A corrupt stream closes the handle within the write: never write to it again.
            if (this.stream.errored)
                throw this.stream.errored;
            const [outputFree, inputLeft] = state;
            const produced = this.output.length - outputFree;
            if (produced > 0)
                this.take(this.output.subarray(0, produced));
            offset += left - inputLeft;
            left = inputLeft;
            // A full output buffer means more may come out of the same input.
            if (outputFree !== 0)
                return;
            await letOthersRun();
        }
    }
}
class HashTap extends external_node_stream_.Transform {
    hash;
    bytes = 0;
    constructor(hash) {
        super();
        this.hash = hash;
    }
    _transform(chunk, _, done) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        done(null, chunk);
    }
}
/** A file sink that says how many bytes are on disk after each write, for an upload to follow. */
class ReportingFile extends external_node_stream_.Writable {
    path;
    onProgress;
    written = 0;
    file;
    constructor(path, onProgress) {
        super({ highWaterMark: 1024 * 1024 });
        this.path = path;
        this.onProgress = onProgress;
    }
    _construct(done) {
        (0,promises_.open)(this.path, 'w').then(file => {
            this.file = file;
            done();
        }, done);
    }
    _writev(chunks, done) {
        this.writeAll(Buffer.concat(chunks.map(c => c.chunk))).then(() => {
            this.onProgress(this.written);
            done();
        }, done);
    }
    // A write may take only part of the buffer; the rest goes after it.
    async writeAll(buffer) {
        for (let offset = 0; offset < buffer.length;) {
            const { bytesWritten } = await this.file.write(buffer, offset);
            offset += bytesWritten;
            this.written += bytesWritten;
        }
    }
    _final(done) {
        this.file.close().then(() => done(), done);
    }
    _destroy(error, done) {
        if (!this.file)
            return done(error);
        this.file.close().then(() => done(error), () => done(error));
    }
}
/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass. `onProgress` hears how
 * many bytes are on disk as they land, so an upload can follow the file while it grows.
 */
async function writeLayer(entries, options, path, compression = 'gzip', onProgress) {
    const diffHash = (0,external_node_crypto_.createHash)('sha256');
    const blobHash = (0,external_node_crypto_.createHash)('sha256');
    const tarTap = new HashTap(diffHash);
    const blobTap = new HashTap(blobHash);
    await (0,external_node_stream_promises_namespaceObject.pipeline)(external_node_stream_.Readable.from(tarStream(entries, options), { objectMode: false }), tarTap, compressor(compression), blobTap, onProgress ? new ReportingFile(path, onProgress) : (0,external_node_fs_.createWriteStream)(path));
    return {
        digest: `sha256:${blobHash.digest('hex')}`,
        diffId: `sha256:${diffHash.digest('hex')}`,
        size: blobTap.bytes,
        uncompressedSize: tarTap.bytes,
        mediaType: layerMediaType(compression),
        path,
        entries: entries.length
    };
}
/** The diffID alone: tar and hash, nothing compressed or written (a fraction of a full build). */
async function tarDigest(entries, options) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const size = await tarHash(entries, options, hash);
    return { diffId: `sha256:${hash.digest('hex')}`, size };
}
/**
 * The diffID of a compressed layer stream: decompress and hash, keeping nothing. Each chunk is
 * done with before the next is asked for, so `source` may lend its chunks (`HttpRequest.lent`).
 * `bounds` are checked at every step of output (1 MiB): a blob that expands without end is
 * stopped there, not after its chunk. `internals` is for tests, which take the stream path too.
 */
async function diffIdOfBlob(source, mediaType, bounds = {}, internals = zlibInternalsVerified) {
    const stream = decompressorFor(mediaType, internals ? undefined : decompressChunk);
    if (!stream)
        return undefined;
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let produced = 0;
    const take = (output) => {
        if (bounds.cancelled?.())
            throw new Error('no longer needed');
        produced += output.length;
        const most = bounds.most?.();
        if (most !== undefined && produced > most)
            throw new Error(`it decompresses to more than the layer's ${most} bytes`);
        hash.update(output);
    };
    if (!internals) {
        async function* copied() {
            // The stream keeps what it is given until it gets to it: lent chunks are copied.
            for await (const chunk of source)
                yield Buffer.from(chunk);
        }
        await (0,external_node_stream_promises_namespaceObject.pipeline)(copied(), stream, new external_node_stream_.Writable({
            highWaterMark: decompressChunk,
            write: (chunk, _encoding, done) => {
                try {
                    take(chunk);
                    done();
                }
                catch (error) {
                    done(error);
                }
            }
        }));
        return `sha256:${hash.digest('hex')}`;
    }
    const decompressor = new Decompressor(stream, take);
    try {
        for await (const chunk of source)
            await decompressor.write(chunk);
        await decompressor.end();
    }
    finally {
        decompressor.close();
    }
    return `sha256:${hash.digest('hex')}`;
}

;// CONCATENATED MODULE: ./src/layer/growing-file.ts

/**
 * A blob file still being written, which an upload can follow: it learns how far the file has
 * got, and the digest once it is complete. Bytes once written never change, so any written range
 * can be read (and read again after a failed request).
 */
class GrowingFile {
    path;
    written = 0;
    complete;
    failure;
    waiters = [];
    constructor(path) {
        this.path = path;
    }
    progress(bytes) {
        this.written = bytes;
        this.wake();
    }
    finish(digest, size) {
        this.complete = { digest, size };
        this.written = size;
        this.wake();
    }
    fail(error) {
        if (this.complete)
            return;
        this.failure = error;
        this.wake();
    }
    /**
     * Resolves once at least `want` bytes are written or the file is complete: how many bytes can
     * be read now, and the digest when complete. Rejects when writing failed.
     */
    async ready(want) {
        while (!this.complete && !this.failure && this.written < want)
            await new Promise(wake => this.waiters.push(wake));
        if (this.failure)
            throw this.failure;
        return { available: this.written, digest: this.complete?.digest };
    }
    open(offset, length) {
        return Promise.resolve((0,external_node_fs_.createReadStream)(this.path, {
            start: offset,
            end: length === undefined ? undefined : offset + length - 1,
            highWaterMark: 1024 * 1024
        }));
    }
    wake() {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters)
            wake();
    }
}

;// CONCATENATED MODULE: ./src/util/format.ts
/** A byte count for people: `512 B`, `1.5 KiB`, `23 MiB`. */
function formatBytes(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// EXTERNAL MODULE: ./src/util/pool.ts
var pool = __nccwpck_require__(40704);
;// CONCATENATED MODULE: ./src/pipeline/layers.ts











/** One `layers` line (its source for one platform) as a key: lines are built and listed once. */
function keyOf(source, destination) {
    return `${source}\0${destination}`;
}
/**
 * The listings of the run's sources, each made once: `startEarly` begins those of lines that name
 * no platform when the run starts, beside its git and registry questions (they do not depend on
 * the base), and the layer stage takes them (or lists the rest) when it gets there.
 */
class SourceListing {
    options;
    lists = new Map();
    stopped = new AbortController();
    constructor(options) {
        this.options = options;
    }
    /** Starts listing every line without platform placeholders. */
    startEarly(specs) {
        for (const spec of specs)
            if (!(0,layer_spec/* namesPlatform */.UR)(spec.source))
                // Failures are for the layer stage to report, once it asks.
                this.list(spec.source, spec.destination).catch(() => { });
        return this;
    }
    /** The entries of one line's source, listed now or earlier. */
    list(source, destination) {
        const key = keyOf(source, destination);
        let listing = this.lists.get(key);
        if (!listing) {
            const warnings = [];
            const excluded = [];
            listing = collectEntries(this.options.workingDirectory, source, destination, warning => warnings.push(warning), {
                ownDestination: this.options.ownDestination,
                exclude: this.options.exclude,
                excluded: path => excluded.push(path),
                skip: this.options.skip,
                signal: this.stopped.signal
            }).then(entries => ({ entries, warnings, excluded }));
            this.lists.set(key, listing);
        }
        return listing;
    }
    /** Stops listings still under way (the run ended without needing them). */
    stop() {
        this.stopped.abort(new Error('the run ended'));
    }
}
/**
 * Builds one layer per `layers` line for each platform. A line without platform placeholders gives
 * the same bytes for every platform and is built once.
 */
async function buildLayers(specs, platforms, options) {
    const jobs = [];
    const perPlatform = platforms.map(platform => specs.map(spec => {
        const source = (0,layer_spec/* sourceForPlatform */.o$)(spec.source, platform);
        const key = keyOf(source, spec.destination);
        if (!jobs.some(j => keyOf(j.source, j.destination) === key))
            jobs.push({ source, destination: spec.destination });
        return key;
    }));
    // The previous image's blob of a line is checked (downloaded and decompressed) while its layer
    // is hashed: told the diffID, a check whose layer changed stops. The first `jobs` lines' checks
    // start once their source is listed, the others' when their layer's turn comes (as many at once
    // as layers are built). Not before: the check's decompression runs on this thread, and beside
    // the walk it delayed the listing, which every read of the layer waits for, by as much; while
    // the layer is read, this thread mostly waits for the reader.
    const expect = (i) => options.reuse
        ? options.expectReuse?.(jobs[i].source, jobs[i].destination)
        : undefined;
    const hashed = [];
    // Every source is checked before any layer is written, so a typo fails fast.
    const ownListing = options.listing
        ? undefined
        : new SourceListing({
            workingDirectory: options.workingDirectory,
            exclude: options.exclude,
            ownDestination: options.uid !== 0 || options.gid !== 0
        });
    const listing = options.listing ?? ownListing;
    let failed = false;
    const listed = await Promise.all(jobs.map((job, i) => listing.list(job.source, job.destination).then(found => {
        if (i < options.jobs && !failed)
            hashed[i] ??= expect(i);
        return found;
    }, error => {
        failed = true;
        for (const stop of hashed)
            stop?.();
        ownListing?.stop();
        // A bad .imprintignore names its own input (exclude).
        if (error instanceof errors/* InputError */.dz)
            throw error;
        throw new errors/* InputError */.dz('layers', `${error.message} (line "${job.source}:${job.destination}")`);
    })));
    // Told here, in this stage's log, whenever the listing ran.
    listed.forEach(({ warnings, excluded }, i) => {
        for (const warning of warnings)
            options.log.warning(warning);
        for (const path of excluded)
            options.log.debug(`${jobs[i].source}: excluded ${path}`);
    });
    const entryLists = listed.map(l => l.entries);
    const excludedCounts = listed.map(l => l.excluded.length);
    if (!entryLists.some(readsAhead))
        dropWarmReader();
    for (const blob of options.existing ?? [])
        options.observer?.blob(blob);
    const compressor = compressorId(options.compression);
    const tarOptions = {
        mtime: options.mtime,
        uid: options.uid,
        gid: options.gid
    };
    // Layers finish in any order; the log tells them in the image's order, each once those before it
    // have been told.
    const told = [];
    let tellNext = 0;
    const tell = (i, line) => {
        told[i] = line;
        while (told[tellNext] !== undefined)
            options.log.info(told[tellNext++]);
    };
    const built = await (0,pool/* mapBounded */.y)(jobs, options.jobs, async (job, i) => {
        const where = { source: job.source, destination: job.destination };
        if (options.reuse) {
            hashed[i] ??= expect(i);
            const { diffId, size } = await tarDigest(entryLists[i], tarOptions).catch(error => {
                hashed[i]?.();
                throw error;
            });
            hashed[i]?.(diffId);
            const previous = await options.reuse(diffId, size);
            if (previous) {
                tell(i, `${job.source} → ${job.destination}: unchanged (diffID ${diffId.slice(0, 19)}), reusing ${previous.descriptor.digest} from ${previous.built?.reusedFrom} without compressing`);
                return {
                    ...previous,
                    built: {
                        ...previous.built,
                        diffId,
                        uncompressedSize: size,
                        ...where,
                        compressor
                    }
                };
            }
        }
        const path = (0,external_node_path_.join)(options.scratchDir, `layer-${i}.blob`);
        const contentSize = entryLists[i].reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
        const growing = options.observer && contentSize >= (options.followFrom ?? 32 << 20)
            ? new GrowingFile(path)
            : undefined;
        if (growing)
            options.observer.growing(growing, `${job.source} → ${job.destination}`);
        const layer = await writeLayer(entryLists[i], tarOptions, path, options.compression, growing && (bytes => growing.progress(bytes))).catch((error) => {
            growing?.fail(error);
            throw error;
        });
        growing?.finish(layer.digest, layer.size);
        const left = excludedCounts[i];
        tell(i, `${job.source} → ${job.destination}: ${layer.entries} entries${left ? ` (${left} excluded)` : ''}, ${layer.digest} (${formatBytes(layer.size)})`);
        const blob = (0,oci_image/* fileBlob */.Ax)({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, layer.path, {
            diffId: layer.diffId,
            uncompressedSize: layer.uncompressedSize,
            ...where,
            compressor
        });
        if (!growing)
            options.observer?.blob(blob);
        return blob;
    }).catch(error => {
        // A failed build needs no check of a previous blob any more.
        for (const stop of hashed)
            stop?.();
        throw error;
    });
    const byKey = new Map(jobs.map((job, i) => [keyOf(job.source, job.destination), built[i]]));
    return {
        layers: perPlatform.map(keys => keys.map(key => byKey.get(key))),
        contents: new Map(built.map((blob, i) => [blob.built.diffId, entryLists[i]]))
    };
}

;// CONCATENATED MODULE: ./src/pipeline/build.ts


/** Builds the layers and assembles the image (or index) on the resolved base. */
async function buildArtifact(inputs, context, base, options) {
    const { log } = options;
    const { layers, contents } = await log.group('Build layers', () => buildLayers(inputs.layers, base.platforms.map(p => p.platform), {
        workingDirectory: options.workingDirectory,
        scratchDir: options.scratchDir,
        mtime: inputs.fileMtime === 'source-date'
            ? context.sourceDateEpoch
            : inputs.fileMtime,
        uid: inputs.layerOwner.uid,
        gid: inputs.layerOwner.gid,
        jobs: options.jobs,
        compression: inputs.compression,
        exclude: inputs.exclude,
        reuse: options.reuse,
        expectReuse: options.expectReuse,
        existing: base.platforms.flatMap(p => p.layers),
        observer: options.observer,
        followFrom: options.followFrom,
        listing: options.listing,
        log
    }));
    const artifact = await log.group('Assemble', async () => {
        const result = assemble(base, layers, inputs, context);
        log.info(`${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`);
        return result;
    });
    return { artifact, contents };
}

;// CONCATENATED MODULE: ./src/report/comparison.ts


function comparePlatform(platform, ours, theirs) {
    const layers = ours.map((layer, position) => {
        const other = theirs[position];
        return {
            position,
            digest: layer.digest,
            size: layer.size,
            source: layer.source,
            status: !other
                ? 'added'
                : other.digest === layer.digest
                    ? 'unchanged'
                    : 'changed',
            delta: layer.size - (other?.size ?? 0)
        };
    });
    const sum = (list) => list.reduce((n, l) => n + l.size, 0);
    return {
        platform,
        layers,
        removed: theirs.slice(ours.length),
        total: sum(ours),
        baseTotal: sum(theirs)
    };
}
/**
 * How `ours` differs from `theirs` (the base commit's image, `reference`), per platform and per
 * layer position; the base image digest is compared on the first platform of both.
 */
function compareImages(ours, theirs) {
    const byPlatform = new Map(theirs.images.map(image => [(0,oci_platform/* formatPlatform */.Bq)(image.platform), image]));
    const images = ours.kind === 'image' ? [ours] : ours.images;
    const platforms = images.map(img => {
        const key = (0,oci_platform/* formatPlatform */.Bq)(img.platform);
        const base = byPlatform.get(key)?.manifest.layers ?? [];
        return comparePlatform(key, img.layers.map(l => ({
            digest: l.descriptor.digest,
            size: l.descriptor.size,
            source: l.built?.source
        })), base.map(l => ({ digest: l.digest, size: l.size })));
    });
    const firstTheirs = byPlatform.get((0,oci_platform/* formatPlatform */.Bq)(images[0].platform));
    return {
        reference: theirs.reference,
        digest: theirs.digest,
        platforms,
        baseImage: {
            before: firstTheirs?.manifest.annotations?.[annotationKeys.baseDigest],
            after: images[0].manifest.annotations?.[annotationKeys.baseDigest]
        }
    };
}

// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(62148);
;// CONCATENATED MODULE: ./src/pipeline/tags.ts


function dateOf(epochSeconds) {
    return new Date(epochSeconds * 1000)
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, '');
}
/** A branch name made into a valid tag: `feature/x` → `feature-x`. */
function tagSafe(value) {
    return value
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128);
}
/**
 * A release tag as semver (`v1.2.3`, `1.2.3-rc.1`; the `v` is optional). A pre-release names
 * only `{{version}}`: the moving `{{major}}` and `{{minor}}` tags are for releases.
 */
function semver(gitTag) {
    const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(gitTag ?? '');
    if (!match)
        return {};
    const [, major, minor, patch, pre, build] = match;
    // `+` cannot be in a tag: build metadata joins with `-`.
    const version = `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}${build ? `-${build}` : ''}`;
    return pre ? { version } : { version, major, minor, patch };
}
/** What a template needs that this run lacks, for the notice. */
const lacking = {
    sha: 'no commit (run inside a git checkout)',
    short_sha: 'no commit (run inside a git checkout)',
    branch: 'no branch on this event',
    pr: 'no pull request on this event',
    run_number: 'no workflow run',
    base_digest: 'no base image (scratch, or a merge of digests)',
    version: 'no semver git tag on this event (refs/tags/v1.2.3)',
    major: 'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)',
    minor: 'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)',
    patch: 'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)'
};
/**
 * Renders the `tags` templates. One list serves branch pushes and release tags alike: a template
 * whose placeholder has no value on this event is skipped (and said so); it is an error only when
 * no tag is left, or a placeholder is unknown, or a result is no valid tag.
 */
function renderTags(templates, context, extra = {}) {
    const values = {
        sha: context.sha,
        short_sha: context.sha?.slice(0, 7),
        branch: context.branch === undefined ? undefined : tagSafe(context.branch),
        pr: context.pr === undefined ? undefined : String(context.pr),
        run_number: context.runNumber,
        date: dateOf(context.sourceDateEpoch),
        base_digest: extra.baseDigest?.slice('sha256:'.length, 'sha256:'.length + 12),
        ...semver(context.version)
    };
    const known = Object.keys(lacking).concat('date');
    const tags = [];
    const skipped = [];
    for (const template of templates) {
        let missing;
        const tag = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, key) => {
            if (!known.includes(key)) {
                throw new errors/* InputError */.dz('tags', `"${template}" uses the unknown placeholder {{${key}}} (known: ${known.join(', ')})`);
            }
            const value = values[key];
            if (value === undefined)
                missing ??= key;
            return value ?? '';
        });
        if (missing) {
            skipped.push(`"${template}" skipped: {{${missing}}} has no value (${lacking[missing]})`);
            continue;
        }
        try {
            (0,reference/* validateTag */.z7)(tag);
        }
        catch (error) {
            throw new errors/* InputError */.dz('tags', error.message);
        }
        if (!tags.includes(tag))
            tags.push(tag);
    }
    if (tags.length === 0 && templates.length > 0) {
        throw new errors/* InputError */.dz('tags', `no tag is left on this event: ${skipped.join('; ')}; list a template this event can fill`);
    }
    return { tags, skipped };
}

;// CONCATENATED MODULE: ./src/pipeline/compare.ts



/**
 * On pull requests, the image is compared with the image built for the base commit (found by
 * the first tag template that names the commit), for the report. A missing image or any error
 * is only a note: the comparison is never worth failing a build.
 */
async function compareWithBaseBranch(inputs, context, registries, artifact, log) {
    // Fan-out legs are compared by the job that merges them.
    if (!context.baseCommit || inputs.pushByDigest)
        return undefined;
    return log.group('Compare with the base branch', () => compare(inputs, context, registries, artifact, log));
}
async function compare(inputs, context, registries, artifact, log) {
    // Templates naming the commit, and nothing that belongs to this run (its number or date).
    const templates = inputs.tags.filter(t => /\{\{\s*(sha|short_sha)\s*\}\}/.test(t) &&
        !/\{\{\s*(run_number|date|pr)\s*\}\}/.test(t));
    if (!context.baseCommit || templates.length === 0)
        return undefined;
    try {
        const [tag] = renderTags([templates[0]], {
            ...context,
            sha: context.baseCommit,
            branch: context.baseBranch,
            pr: undefined
        }).tags;
        const reference = `${inputs.image}:${tag}`;
        const theirs = await readRemote(registries.client(inputs.image.registry), inputs.image, tag);
        if (!theirs) {
            log.info(`no image for the base commit ${context.baseCommit.slice(0, 7)} (${reference}); nothing to compare`);
            return undefined;
        }
        const comparison = compareImages(artifact, { ...theirs, reference });
        log.info(`compared with ${reference} (${theirs.digest})`);
        return comparison;
    }
    catch (error) {
        log.warning(`could not compare with the base branch's image: ${error.message}`);
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/pipeline/context.ts


async function readEvent(path) {
    if (!path)
        return {};
    try {
        return JSON.parse(await (0,promises_.readFile)(path, 'utf8'));
    }
    catch {
        return {};
    }
}
/** A full commit id: SHA-1, or SHA-256 in repositories that use it. */
const commitId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/**
 * `rev` (`HEAD` or a commit id) and up to three commits before it (newest first, as `git rev-list`
 * walks), with their commit times; empty when git cannot say (outside a checkout, a commit a
 * shallow clone lacks). Plumbing, so that no user setting (`log.showSignature`) changes the output.
 */
async function commitsFrom(git, cwd, rev, count = 4) {
    if (rev !== 'HEAD' && !commitId.test(rev))
        return [];
    const out = await git.tryRun(cwd, [
        'rev-list',
        '--timestamp',
        `--max-count=${count}`,
        rev,
        '--'
    ]);
    const commits = [];
    for (const line of out?.split('\n') ?? []) {
        const match = /^(\d+) ([0-9a-f]+)$/.exec(line.trim());
        if (!match || !commitId.test(match[2]))
            return commits;
        commits.push({ sha: match[2], time: Number(match[1]) });
    }
    return commits;
}
/** Reads the GitHub Actions environment, falling back to the git checkout for local runs. */
async function readContext(env, run, where, sourceDateEpochInput) {
    const { workingDirectory } = where;
    const eventName = env.GITHUB_EVENT_NAME;
    const event = await readEvent(env.GITHUB_EVENT_PATH);
    const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target';
    const knownSha = ((isPullRequest ? event.pull_request?.head?.sha : undefined) ??
        env.GITHUB_SHA) ||
        undefined;
    const isBranchRef = env.GITHUB_REF_TYPE === 'branch' ||
        env.GITHUB_REF?.startsWith('refs/heads/') === true;
    // Locally (not in Actions) the checkout says which branch it is on.
    const askBranch = !isPullRequest && !isBranchRef && !env.GITHUB_ACTIONS;
    // The git questions go out at once (each is a process start): the commit with its ancestors,
    // what is checked out (a pull request's merge), and locally the branch.
    const [history, headOfCheckout, localBranch] = await Promise.all([
        commitsFrom(run, workingDirectory, knownSha ?? 'HEAD'),
        isPullRequest && knownSha
            ? commitsFrom(run, workingDirectory, 'HEAD', 1)
            : Promise.resolve([]),
        askBranch
            ? run.tryRun(workingDirectory, ['branch', '--show-current'])
            : undefined
    ]);
    const sha = knownSha ?? history[0]?.sha;
    // The commit's time comes from HEAD when the checkout lacks the commit (a shallow pull_request
    // checkout of the merge has no PR head; a workflow may check out another ref than GITHUB_SHA).
    const checkedOut = knownSha &&
        history.length === 0 &&
        !isPullRequest &&
        sourceDateEpochInput === undefined
        ? await commitsFrom(run, workingDirectory, 'HEAD', 1)
        : headOfCheckout;
    const branch = isPullRequest
        ? (env.GITHUB_HEAD_REF ?? event.pull_request?.head?.ref)
        : isBranchRef
            ? env.GITHUB_REF_NAME
            : localBranch;
    const version = env.GITHUB_REF?.startsWith('refs/tags/')
        ? env.GITHUB_REF.slice('refs/tags/'.length)
        : undefined;
    const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    const sourceUrl = env.GITHUB_REPOSITORY
        ? `${serverUrl}/${env.GITHUB_REPOSITORY}`
        : undefined;
    let sourceDateEpoch = 0;
    let sourceDateOrigin = 'default (0)';
    if (sourceDateEpochInput !== undefined) {
        sourceDateEpoch = sourceDateEpochInput;
        sourceDateOrigin = 'the source-date-epoch input';
    }
    else {
        const commitTime = history[0]?.time ?? checkedOut[0]?.time;
        if (commitTime !== undefined) {
            sourceDateEpoch = commitTime;
            sourceDateOrigin = `the commit time of ${sha?.slice(0, 7)}`;
        }
        else if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
            sourceDateEpoch = Number(env.SOURCE_DATE_EPOCH);
            sourceDateOrigin = '$SOURCE_DATE_EPOCH';
            if (sourceDateEpoch > types/* lastRfc3339Second */.u)
                throw new Error(`$SOURCE_DATE_EPOCH ${env.SOURCE_DATE_EPOCH} is after 9999-12-31T23:59:59Z (${types/* lastRfc3339Second */.u}), the last time an image's created field can hold`);
        }
    }
    const previousCommits = [];
    const add = (commit) => {
        if (commit &&
            commitId.test(commit) &&
            !/^0+$/.test(commit) &&
            commit !== sha &&
            !previousCommits.includes(commit)) {
            previousCommits.push(commit);
        }
    };
    add(event.before);
    add(event.pull_request?.base?.sha);
    for (const ancestor of history.slice(1))
        add(ancestor.sha);
    const mergeCheckout = isPullRequest && checkedOut[0] && checkedOut[0].sha !== sha
        ? checkedOut[0].sha
        : undefined;
    const head = event.pull_request?.head?.repo?.full_name;
    const baseRepo = event.pull_request?.base?.repo?.full_name;
    return {
        sha,
        mergeCheckout,
        branch,
        previousCommits,
        baseCommit: isPullRequest ? event.pull_request?.base?.sha : undefined,
        baseBranch: isPullRequest ? event.pull_request?.base?.ref : undefined,
        repository: env.GITHUB_REPOSITORY,
        privateRepository: event.repository?.private === true ||
            (event.repository?.visibility !== undefined &&
                event.repository.visibility !== 'public'),
        fromFork: isPullRequest &&
            head !== undefined &&
            baseRepo !== undefined &&
            head !== baseRepo,
        pr: isPullRequest
            ? (event.pull_request?.number ?? event.number)
            : undefined,
        runNumber: env.GITHUB_RUN_NUMBER,
        sourceUrl,
        version,
        eventName,
        actor: env.GITHUB_ACTOR,
        sourceDateEpoch,
        sourceDateOrigin,
        serverUrl,
        apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
        runUrl: sourceUrl && env.GITHUB_RUN_ID
            ? `${sourceUrl}/actions/runs/${env.GITHUB_RUN_ID}`
            : undefined,
        workspace: where.workspace,
        tempDir: where.tempDir
    };
}
/** Whether the run is for a pull request (its head commit, no commits to branches). */
function isPullRequest(context) {
    return (context.eventName === 'pull_request' ||
        context.eventName === 'pull_request_target');
}
/** The context stage: the run's facts, read once, with the commit and source date in the log. */
function contextStage(env, git, where, sourceDateEpoch, log) {
    return log.group('Context', async () => {
        const context = await readContext(env, git, where, sourceDateEpoch);
        log.info(`commit ${context.sha ?? '(none)'}; source date ${context.sourceDateEpoch} (${(0,types/* rfc3339 */.a)(context.sourceDateEpoch)}) from ${context.sourceDateOrigin}`);
        return context;
    });
}

// EXTERNAL MODULE: ./src/util/retry.ts
var retry = __nccwpck_require__(4266);
;// CONCATENATED MODULE: ./src/deploy/manifests.ts




function manifests_isInside(root, candidate) {
    const rel = (0,external_node_path_.relative)(root, candidate);
    return (rel === '' ||
        (!rel.startsWith(`..${external_node_path_.sep}`) && rel !== '..' && !(0,external_node_path_.isAbsolute)(rel)));
}
/**
 * The regular file `path` names inside `root`, following links only while they stay inside: a
 * link (or a linked directory) leading out of the repository is refused, so no file outside it
 * is ever read, written or committed.
 */
async function fileInside(root, path) {
    const realRoot = await (0,promises_.realpath)(root);
    const lexical = (0,external_node_path_.resolve)(realRoot, path);
    if (!manifests_isInside(realRoot, lexical))
        throw new Error(`${path} is outside the repository`);
    let real;
    try {
        real = await (0,promises_.realpath)(lexical);
    }
    catch {
        throw new Error(`${path} is a broken link or does not exist`);
    }
    if (!manifests_isInside(realRoot, real))
        throw new Error(`${path} leads through a link to ${real}, outside the repository; manifests are only edited inside it`);
    if (!(await (0,promises_.lstat)(real)).isFile())
        throw new Error(`${path} is not a regular file`);
    return (0,external_node_path_.relative)(realRoot, real).split(external_node_path_.sep).join('/');
}
/** Expands the `manifests` list (files and globs, relative to the repository root) in order. */
async function expandManifests(root, patterns) {
    const files = [];
    for (const pattern of patterns) {
        if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
            throw new errors/* InputError */.dz('manifests', `"${pattern}" must be relative to the repository root and stay inside it`);
        }
        const found = [];
        for await (const match of (0,promises_.glob)(pattern, { cwd: root }))
            found.push(match.split(external_node_path_.sep).join('/'));
        if (found.length === 0) {
            throw new errors/* InputError */.dz('manifests', `"${pattern}" matches no file in ${root}`);
        }
        for (const path of found.sort()) {
            if (files.some(f => f.path === path))
                continue;
            let file;
            try {
                file = await fileInside(root, path);
            }
            catch (error) {
                throw new errors/* InputError */.dz('manifests', `"${pattern}" matches ${error.message}`);
            }
            // Two links to one file: it is edited once.
            if (!files.some(f => f.file === file))
                files.push({ path, file });
        }
    }
    return files;
}
async function readManifests(root, files) {
    return Promise.all(files.map(async (f) => ({
        ...f,
        text: await (0,promises_.readFile)((0,external_node_path_.join)(root, f.file), 'utf8')
    })));
}
/**
 * Edits every file in memory: a parse error, or a file without the image when `requireMatch`,
 * stops the run here, before anything is pushed or written.
 */
async function planManifests(manifests, target, requireMatch) {
    // The editor and its YAML library: loaded by the runs that edit manifests, not at start-up.
    const { editManifest } = await Promise.all(/* import() */[__nccwpck_require__.e(815), __nccwpck_require__.e(951)]).then(__nccwpck_require__.bind(__nccwpck_require__, 23951));
    const plans = [];
    const warnings = [];
    const notes = [];
    for (const { path, file, text: before } of manifests) {
        const edit = editManifest(path, before, target);
        warnings.push(...edit.warnings);
        notes.push(...edit.notes);
        if (edit.matches === 0) {
            const message = noMatchMessage(path, target, edit);
            if (requireMatch)
                throw new errors/* InputError */.dz('manifests', `${message} (${edit.unmatched.some(f => !f.why) ? 'name the field in manifest-paths, or ' : ''}set manifest-no-match: warning to allow this)`);
            warnings.push(message);
        }
        plans.push({
            path,
            file,
            before,
            after: edit.text,
            changes: edit.changes,
            matches: edit.matches
        });
    }
    return { files: plans, warnings, notes };
}
function listed(paths) {
    const unique = [...new Set(paths)];
    return unique.length <= 3
        ? unique.join(', ')
        : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}
/**
 * Why a file has no reference to pin: where it names the image in fields the editor does not
 * know (with the manifest-paths line that would pin one), and what a rule left alone.
 */
function noMatchMessage(path, target, edit) {
    let message = `${path} has no reference to ${target.repository}`;
    const unknown = edit.unmatched.filter(f => !f.why).map(f => f.path);
    if (unknown.length) {
        message += `; it names the image at ${listed(unknown)}, ${unknown.length === 1 ? 'a field' : 'fields'} the editor does not know. If ${unknown.length === 1 ? 'that field deploys' : 'they deploy'} it, list ${unknown.length === 1 ? 'it' : 'them'} in manifest-paths: "${unknown[0]}=reference" for a whole reference, or PATH=tag and PATH=digest for separate tag and digest fields`;
    }
    const ruled = edit.unmatched.filter(f => f.why);
    const reasons = [...new Set(ruled.map(f => f.why))];
    if (ruled.length) {
        message += `; left alone: ${reasons
            .map(why => `${listed(ruled.filter(f => f.why === why).map(f => f.path))} (${why})`)
            .join(', ')}`;
    }
    return message;
}
/**
 * Replaces a regular file through a temporary file (created new, never through a link) and a
 * rename, so a reader never sees half a file; the file keeps its mode (an executable stays one).
 */
async function writeAtomically(file, text) {
    const info = await (0,promises_.lstat)(file);
    if (!info.isFile())
        throw new Error(`${file} is not a regular file`);
    const mode = info.mode & 0o7777;
    const temporary = (0,external_node_path_.join)((0,external_node_path_.dirname)(file), `.${(0,external_node_path_.basename)(file)}.imprint-${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`);
    try {
        await (0,promises_.writeFile)(temporary, text, { flag: 'wx', mode });
        await (0,promises_.chmod)(temporary, mode);
        await (0,promises_.rename)(temporary, file);
    }
    finally {
        await (0,promises_.rm)(temporary, { force: true });
    }
}
/** How far ahead a diff looks for the lines to agree again: edits change a line or add one or two. */
const resyncWindow = 16;
/**
 * The changed lines as a unified diff without context, for the log and previews. Linear in the
 * file's length: the editor changes values in place and inserts a line here and there, so after a
 * difference the two texts agree again within a few lines (two equal lines in a row, or the end).
 */
function lineDiff(plan) {
    const a = plan.before.split('\n').map(l => l.replace(/\r$/, ''));
    const b = plan.after.split('\n').map(l => l.replace(/\r$/, ''));
    const agree = (i, j) => (i >= a.length && j >= b.length) ||
        (i < a.length &&
            j < b.length &&
            a[i] === b[j] &&
            (i + 1 >= a.length || j + 1 >= b.length || a[i + 1] === b[j + 1]));
    const out = [`--- a/${plan.path}`, `+++ b/${plan.path}`];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            i++;
            j++;
            continue;
        }
        // The nearest point where both sides agree again: fewest lines skipped first.
        let skip = [a.length - i, b.length - j];
        search: for (let total = 1; total <= 2 * resyncWindow; total++) {
            for (let di = Math.max(0, total - resyncWindow); di <= Math.min(total, resyncWindow); di++) {
                if (agree(i + di, j + total - di)) {
                    skip = [di, total - di];
                    break search;
                }
            }
        }
        const [di, dj] = skip;
        out.push(`@@ -${i + 1},${di} +${j + 1},${dj} @@`, ...a.slice(i, i + di).map(l => `-${l}`), ...b.slice(j, j + dj).map(l => `+${l}`));
        i += di;
        j += dj;
    }
    return out.join('\n');
}

;// CONCATENATED MODULE: ./src/deploy/commit.ts





/** How often a push rejected because the branch moved is tried again on the new head. */
const movedBranchPolicy = {
    attempts: 8,
    baseDelayMs: 400,
    factor: 2,
    maxDelayMs: 5000,
    jitter: 0.5
};
/**
 * Commits the manifest edits onto `branch` and pushes, in a temporary worktree so the user's
 * checkout is untouched. When the push is rejected because the branch moved, the new head is
 * fetched and the edits are applied again to its content (never a stale diff), a few times with
 * jitter: a concurrent merge is never lost.
 */
async function commitAndPush(options) {
    const { git, root, remote, branch, log } = options;
    const config = options.remoteConfig ?? [];
    const identity = [];
    if (!(await git.tryRun(root, ['config', 'user.name']))) {
        identity.push('user.name=github-actions[bot]', 'user.email=41898282+github-actions[bot]@users.noreply.github.com');
    }
    // A full clone stays full: --depth would make it shallow and cut the history later steps read.
    const depth = (await git.isShallow(root)) ? ['--depth=1'] : [];
    const worktree = await (0,promises_.mkdtemp)((0,external_node_path_.join)(options.tempDir, 'imprint-manifests-'));
    let added = false;
    try {
        return await (0,retry/* withRetries */.LH)(async (attempt) => {
            await git.run(root, ['fetch', '--no-tags', ...depth, remote, `refs/heads/${branch}`], { config });
            const head = await git.run(root, ['rev-parse', 'FETCH_HEAD']);
            if (!added) {
                await git.run(root, ['worktree', 'add', '--detach', worktree, head]);
                added = true;
            }
            else {
                await git.run(worktree, ['reset', '--hard', head]);
            }
            const { changed, applied } = await applyEdits(options, worktree);
            if (changed.length === 0) {
                log.info(`manifests on ${branch} already point at the image; nothing to commit`);
                return { changed, changes: applied, attempts: attempt + 1 };
            }
            await git.run(worktree, ['add', '--', ...changed]);
            await git.run(worktree, ['commit', '--quiet', '-m', options.message], {
                config: identity
            });
            const target = options.pushTo ?? branch;
            if (options.pushTo) {
                const existing = await pullRequestBranchState(options, worktree, target, changed, depth);
                if (existing === 'newer')
                    return { changed: [], changes: [], attempts: attempt + 1 };
                if (existing) {
                    return {
                        commit: existing,
                        changed,
                        changes: applied,
                        attempts: attempt + 1,
                        unchanged: true
                    };
                }
            }
            await git.run(worktree, [
                'push',
                '--quiet',
                ...(options.pushTo ? ['--force'] : []),
                remote,
                `HEAD:refs/heads/${target}`
            ], { config });
            const commit = await git.run(worktree, ['rev-parse', 'HEAD']);
            return { commit, changed, changes: applied, attempts: attempt + 1 };
        }, options.retry ?? movedBranchPolicy, isRejectedPush, (_error, ms, attempt) => log.info(`${branch} moved while committing (attempt ${attempt}); re-applying on the new head in ${ms} ms`));
    }
    finally {
        if (added)
            await git
                .run(root, ['worktree', 'remove', '--force', worktree])
                .catch(() => undefined);
        await (0,promises_.rm)(worktree, { recursive: true, force: true });
    }
}
/** Edits every listed file in the worktree, as the ordering guard allows. */
async function applyEdits(options, worktree) {
    // The editor (and the YAML library) is loaded where manifests are edited, not at start-up.
    const { editManifest } = await Promise.all(/* import() */[__nccwpck_require__.e(815), __nccwpck_require__.e(951)]).then(__nccwpck_require__.bind(__nccwpck_require__, 23951));
    const changed = [];
    const applied = [];
    const seen = new Set();
    for (const file of options.files) {
        // The branch's head may hold other links than the checkout: resolved again, inside the worktree.
        const real = await fileInside(worktree, file).catch((error) => {
            if (/does not exist/.test(error.message))
                return undefined;
            throw new Error(`${options.branch}: ${error.message}`);
        });
        if (real === undefined) {
            options.log.warning(`${file} no longer exists on ${options.branch}; skipped`);
            continue;
        }
        if (seen.has(real))
            continue;
        seen.add(real);
        const path = (0,external_node_path_.join)(worktree, real);
        const before = await (0,promises_.readFile)(path, 'utf8');
        const edit = editManifest(file, before, options.target);
        const allowed = [];
        for (const change of edit.changes) {
            if (!options.allow || (await options.allow(change, worktree)))
                allowed.push(change);
        }
        if (allowed.length === 0)
            continue;
        if (allowed.length !== edit.changes.length) {
            options.log.warning(`${file}: some references were skipped by the ordering guard; the file is left as it is`);
            continue;
        }
        await writeAtomically(path, edit.text);
        changed.push(real);
        applied.push(...allowed.map(change => ({ path: file, change })));
    }
    return { changed, applied };
}
/**
 * The pull request branch, fetched once: it may hold a newer build's image (never force an older
 * one over it: `newer`) or exactly this change already (leave it, and the PR, as they are: its
 * commit). Undefined when our commit should be pushed.
 */
async function pullRequestBranchState(options, worktree, target, changed, depth) {
    const { git, root, remote, log } = options;
    const config = options.remoteConfig ?? [];
    const existing = (await git.run(root, ['ls-remote', remote, `refs/heads/${target}`], {
        config
    })).split(/\s/)[0];
    if (!existing)
        return undefined;
    await git.run(root, ['fetch', '--no-tags', ...depth, remote, `refs/heads/${target}`], { config });
    const allow = options.allow;
    const { editManifest } = await Promise.all(/* import() */[__nccwpck_require__.e(815), __nccwpck_require__.e(951)]).then(__nccwpck_require__.bind(__nccwpck_require__, 23951));
    for (const file of allow ? changed : []) {
        const theirs = await git.tryRun(root, ['show', `FETCH_HEAD:${file}`]);
        if (theirs === undefined)
            continue;
        for (const change of editManifest(file, theirs, options.target).changes) {
            if (allow && !(await allow(change, worktree))) {
                log.warning(`${target} already holds a newer image in ${file}; not replacing it`);
                return 'newer';
            }
        }
    }
    const [theirs, ours] = await Promise.all([
        git.run(root, ['rev-parse', 'FETCH_HEAD^{tree}']),
        git.run(worktree, ['rev-parse', 'HEAD^{tree}'])
    ]);
    return theirs === ours ? existing : undefined;
}
/**
 * The manifest commit's message: the `commit-message` template as headline, one line per change
 * as body, and `[skip ci]` for direct pushes (on a pull request it would leave checks pending).
 */
function commitMessage(template, target, commit, changes, options) {
    const values = {
        image: target.repository.toString(),
        digest: target.digest,
        tag: target.tag,
        sha: commit.sha ?? '',
        short_sha: commit.sha?.slice(0, 7) ?? ''
    };
    const headline = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key) => values[key] ?? whole);
    const body = changes
        .map(p => `${p.path}: ${p.change.from} → ${p.change.to}`)
        .join('\n');
    return {
        headline,
        body,
        text: `${headline}\n\n${body}${options.skipCi ? '\n\n[skip ci]' : ''}`
    };
}

;// CONCATENATED MODULE: ./src/deploy/manifest-repository.ts




/**
 * The checkout the action runs in (its branch checked on origin when commits will be made), or a
 * one-commit clone of the GitOps repository in a temporary directory.
 */
async function openManifestRepository(git, choice, where, log) {
    if (choice.manifestRepository)
        return cloneManifestRepository(git, choice, where);
    const root = await git.topLevel(where.workspace);
    const nothing = async () => { };
    if (!choice.commits)
        return { root, remote: 'origin', remoteConfig: [], cleanup: nothing };
    const branch = choice.manifestBranch ?? where.branch ?? (await git.currentBranch(root));
    if (!branch) {
        throw new errors/* InputError */.dz('manifest-branch', 'the checkout is on no branch (detached HEAD); name the branch to commit to');
    }
    await git
        .run(root, ['ls-remote', '--exit-code', '--heads', 'origin', branch])
        .catch(error => {
        if (error.code === 2) {
            throw new errors/* InputError */.dz('manifest-branch', `branch "${branch}" does not exist on origin; create it first or name another`);
        }
        log.warning(`could not check branch ${branch} on origin: ${error.message.split('\n')[0]}`);
    });
    return { root, branch, remote: 'origin', remoteConfig: [], cleanup: nothing };
}
/** Clones the GitOps repository (one commit deep) into a temporary directory. */
async function cloneManifestRepository(git, choice, { serverUrl, tempDir }) {
    const repository = choice.manifestRepository;
    const url = `${serverUrl}/${repository}.git`;
    const remoteConfig = tokenConfig(url, choice.manifestToken);
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(tempDir, 'imprint-gitops-'));
    const cleanup = () => (0,promises_.rm)(dir, { recursive: true, force: true });
    const branchArgs = choice.manifestBranch
        ? ['--branch', choice.manifestBranch]
        : [];
    try {
        await git.run(tempDir, ['clone', '--quiet', '--depth=1', '--no-tags', ...branchArgs, url, dir], { config: remoteConfig });
    }
    catch (error) {
        await cleanup();
        const stderr = error instanceof GitError ? error.stderr : String(error);
        if (choice.manifestBranch && /Remote branch .* not found/i.test(stderr)) {
            throw new errors/* InputError */.dz('manifest-branch', `branch "${choice.manifestBranch}" does not exist in ${repository}`);
        }
        throw new errors/* InputError */.dz('manifest-repository', `cannot clone ${repository} (${stderr.trim().split('\n').pop()}); manifest-token (or github-token) must reach it: an App token or PAT, as the job's GITHUB_TOKEN only reaches its own repository`);
    }
    const branch = choice.manifestBranch ?? (await git.currentBranch(dir));
    if (!branch) {
        await cleanup();
        throw new errors/* InputError */.dz('manifest-repository', `${repository} has no default branch`);
    }
    return {
        root: dir,
        branch: choice.commits ? branch : undefined,
        remote: url,
        remoteConfig,
        cleanup
    };
}

;// CONCATENATED MODULE: ./src/deploy/ordering.ts
/**
 * The commit a deployed reference names in its tag: `name:<sha>[@digest]`, a bare tag value (a
 * tag field), or a tag that holds the SHA among other words (`sha-<sha>`, `<sha>-<base digest>`,
 * as `{{sha}}-{{base_digest}}` renders). A digest is never read as a commit.
 */
function deployedCommit(reference) {
    const named = reference.split('@')[0];
    const last = named.slice(named.lastIndexOf('/') + 1);
    const colon = last.indexOf(':');
    const tag = colon >= 0 ? last.slice(colon + 1) : named.includes('/') ? '' : last;
    return /(?:^|[^0-9a-f])([0-9a-f]{40})(?![0-9a-f])/.exec(tag)?.[1];
}
/**
 * The ordering guard: a deployed image tagged with a commit that descends from ours is newer,
 * so an out-of-order build must not replace it. Commits the checkout does not have are fetched
 * once; when the order still cannot be told, the update goes ahead with a notice.
 */
function orderingGuard(git, sha, 
/** The checkout of the source repository: image tags are its commits (not the GitOps repository's). */
cwd, remote, log) {
    return async (change) => {
        const deployed = deployedCommit(change.from);
        if (!sha || !deployed || deployed === sha)
            return true;
        let newer = await git.isAncestor(cwd, sha, deployed);
        if (newer === 'unknown') {
            // Only a shallow checkout is deepened; a full clone is fetched into without --depth.
            const depth = (await git.isShallow(cwd)) ? ['--depth=200'] : [];
            await git
                .run(cwd, ['fetch', '--no-tags', ...depth, remote, deployed, sha])
                .catch(() => undefined);
            newer = await git.isAncestor(cwd, sha, deployed);
        }
        if (newer === 'yes') {
            log.warning(`${change.path}: the deployed image is from ${deployed.slice(0, 7)}, newer than ${sha.slice(0, 7)}; not replacing it`);
            return false;
        }
        if (newer === 'unknown') {
            log.info(`${change.path}: cannot tell whether ${deployed.slice(0, 7)} is newer than ${sha.slice(0, 7)}; updating`);
        }
        return true;
    };
}

;// CONCATENATED MODULE: ./src/deploy/pull-request.ts

/**
 * The pull request branch of an image into one base branch: `imprint/<base>/<image>-<hash>`; the
 * hash of the exact repository keeps apart names that sanitise alike.
 */
function pullRequestBranch(target, base) {
    const repository = target.repository.toString();
    const readable = repository.replace(/[^A-Za-z0-9_-]+/g, '-');
    const hash = (0,external_node_crypto_.createHash)('sha256').update(repository).digest('hex').slice(0, 8);
    return `imprint/${base}/${readable}-${hash}`;
}
/**
 * Opens the pull request from `head` into `base`, or updates the open one (its text, unless the
 * branch already held exactly this change).
 */
async function openPullRequest(api, repository, pull, log) {
    const [owner, repo] = repository.split('/');
    const text = { title: pull.title, body: pull.body };
    const existing = await api.findOpenPull(owner, repo, `${owner}:${pull.head}`, pull.base);
    if (existing) {
        if (!pull.unchanged)
            await api.updatePull(owner, repo, existing.number, text);
        log.info(`pull request ${existing.html_url} ${pull.unchanged ? 'already up to date' : 'updated'}`);
        return {
            url: existing.html_url,
            number: existing.number,
            operation: pull.unchanged ? 'unchanged' : 'updated'
        };
    }
    const created = await api.createPull(owner, repo, {
        ...text,
        head: pull.head,
        base: pull.base
    });
    log.info(`pull request ${created.html_url} opened`);
    return { url: created.html_url, number: created.number, operation: 'created' };
}

// EXTERNAL MODULE: ./src/deploy/edit/types.ts
var edit_types = __nccwpck_require__(50673);
// EXTERNAL MODULE: ./src/github/api.ts
var github_api = __nccwpck_require__(28943);
;// CONCATENATED MODULE: ./src/pipeline/deploy.ts










// Stands in for the digest while checking: every digest has the same form, so no check depends
// on its value (the tag, which can change quoting, is the real one).
const provisionalDigest = `sha256:${'0'.repeat(64)}`;
function manifestsInputError(error) {
    return error instanceof edit_types/* ManifestError */.S
        ? new errors/* InputError */.dz('manifests', error.message)
        : error;
}
function targetOf(inputs, tag, digest) {
    return {
        repository: inputs.image,
        tag,
        digest,
        paths: inputs.manifestPaths
    };
}
/**
 * Finds, reads, parses and edits every manifest in memory before the first layer is built, so
 * that a malformed file, one without the image, a missing branch, an unreachable GitOps
 * repository or a pull-request mode without a token stops the run at once, with nothing pushed.
 */
async function openManifests(inputs, context, tag, git, log) {
    if (inputs.manifests.length === 0)
        return undefined;
    if (inputs.pushByDigest) {
        log.warning('push-by-digest: manifests are updated by the job that merges the digests, not here');
        return undefined;
    }
    return log.group('Check manifests', () => checkManifests(inputs, context, tag, git, log));
}
async function checkManifests(inputs, context, tag, git, log) {
    const commits = inputs.manifestCommit !== 'none' && !isPullRequest(context);
    const repository = inputs.manifestRepository ?? context.repository;
    if (commits &&
        inputs.manifestCommit === 'pull-request' &&
        (!repository || !inputs.manifestToken)) {
        throw new errors/* InputError */.dz('manifest-commit', 'pull-request needs the repository (GITHUB_REPOSITORY or manifest-repository) and a token (manifest-token or github-token) to open the pull request');
    }
    let opened;
    try {
        opened = await openManifestRepository(git, { ...inputs, commits }, context, log);
    }
    catch (error) {
        // A fork's pull request has no secrets: no preview then, but no failure either.
        if (!inputs.manifestRepository || !isPullRequest(context))
            throw error;
        log.warning(`manifest preview skipped: ${error.message}`);
        return undefined;
    }
    try {
        const files = await expandManifests(opened.root, inputs.manifests);
        const manifests = await readManifests(opened.root, files);
        const checked = await planManifests(manifests, targetOf(inputs, tag, provisionalDigest), inputs.manifestNoMatch === 'error');
        for (const warning of checked.warnings)
            log.warning(warning);
        for (const note of checked.notes)
            log.debug(note);
        log.info(`${files.length} manifest file${files.length === 1 ? '' : 's'} checked: ${files.join(', ')}`);
        return { ...opened, manifests, repository };
    }
    catch (error) {
        await opened.cleanup();
        throw manifestsInputError(error);
    }
}
async function planManifestEdits(opened, inputs, image, log) {
    const target = targetOf(inputs, image.tag, image.digest);
    let plan;
    try {
        plan = await planManifests(opened.manifests, target, inputs.manifestNoMatch === 'error');
    }
    catch (error) {
        throw manifestsInputError(error);
    }
    const preview = plan.files.filter(f => f.changes.length).map(lineDiff);
    for (const diff of preview)
        log.info(diff);
    return { opened, target, plan, preview };
}
/**
 * The manifests stage: points them at the new image, in the workspace (`none`), as one commit
 * pushed to the branch (`push`), or as a commit on the image's pull request branch with the pull
 * request opened or updated (`pull-request`). Nothing is written for an image that was not
 * pushed, and nothing is committed on pull_request events; the diffs stay for the report.
 */
function updateManifests(planned, inputs, pushed, context, git, log) {
    return log.group('Update manifests', async () => {
        const outcome = await writeManifests(planned, inputs, pushed, context, git, log);
        if (outcome.skipped)
            log.info(`manifests not updated: ${outcome.skipped}`);
        return outcome;
    });
}
async function writeManifests({ opened, target, plan, preview }, inputs, pushed, context, git, log) {
    const edited = plan.files.filter(f => f.changes.length);
    const planned = plan.files.flatMap(f => f.changes.map(change => ({ path: f.path, change })));
    const mode = inputs.manifestCommit;
    const outcome = {
        mode,
        changed: [],
        changes: planned,
        previous: planned[0]?.change.from,
        preview
    };
    if (!pushed)
        return {
            mode,
            changed: [],
            changes: planned,
            preview,
            skipped: 'the image was not pushed, so manifests are not pointed at it'
        };
    if (mode === 'none') {
        for (const file of edited)
            await writeAtomically((0,external_node_path_.join)(opened.root, file.file), file.after);
        return { ...outcome, changed: edited.map(f => f.path) };
    }
    if (!opened.branch)
        return {
            ...outcome,
            skipped: 'pull_request events do not commit manifests'
        };
    const branch = opened.branch;
    const message = commitMessage(inputs.commitMessage, target, context, planned, {
        skipCi: mode === 'push'
    });
    const pushTo = mode === 'pull-request' ? pullRequestBranch(target, branch) : undefined;
    const result = await commitAndPush({
        git,
        root: opened.root,
        tempDir: context.tempDir,
        remote: opened.remote,
        remoteConfig: opened.remoteConfig,
        branch,
        pushTo,
        files: opened.manifests.map(m => m.path),
        target,
        message: message.text,
        allow: orderingGuard(git, context.sha, context.workspace, 'origin', log),
        log
    });
    const committed = {
        ...outcome,
        commit: result.commit,
        changed: result.changed,
        changes: result.changes,
        previous: result.changes[0]?.change.from ?? outcome.previous
    };
    if (!result.commit)
        return committed;
    if (!pushTo) {
        log.info(`manifests committed to ${branch}: ${result.commit} (attempt ${result.attempts})`);
        return committed;
    }
    const runLink = context.runUrl ? `\n\nFrom ${context.runUrl}` : '';
    committed.pullRequest = await openPullRequest(new github_api/* GitHubApi */.yN(inputs.manifestToken ?? '', context.apiUrl), opened.repository ?? '', {
        head: pushTo,
        base: branch,
        title: message.headline,
        body: `${message.body}${runLink}`,
        unchanged: result.unchanged === true
    }, log);
    return committed;
}

;// CONCATENATED MODULE: ./src/pipeline/merge.ts







/** Parses `merge-digests` items: `sha256:…` or `REPOSITORY@sha256:…` in the `image` repository. */
function parseMergeDigests(items, image) {
    const digests = [];
    for (const item of items) {
        let digest = item;
        if (!(0,oci_digest/* isDigest */.Bc)(item)) {
            const ref = (() => {
                try {
                    return (0,reference/* parseReference */.F2)(item);
                }
                catch (error) {
                    throw new errors/* InputError */.dz('merge-digests', `"${item}": ${error.message}`);
                }
            })();
            if (!ref.digest)
                throw new errors/* InputError */.dz('merge-digests', `"${item}" has no digest (write sha256:… or ${image}@sha256:…)`);
            if (!ref.repository.equals(image)) {
                throw new errors/* InputError */.dz('merge-digests', `"${item}" is in ${ref.repository}, not in the image repository ${image}`);
            }
            digest = ref.digest;
        }
        if (digests.includes(digest))
            throw new errors/* InputError */.dz('merge-digests', `${digest} is listed twice`);
        digests.push(digest);
    }
    return digests;
}
function platformKey(p) {
    return [p.os, p.architecture, p.variant ?? '', p['os.version'] ?? ''].join('/');
}
/**
 * The fan-in: one OCI index over platform images pushed by digest (by matrix jobs), with no
 * rebuild. Platforms come from each image's config; an index given as input contributes its
 * children. Duplicate platforms are refused; entries are sorted by platform, so the same inputs
 * always give the same index digest.
 */
async function mergeImages(client, repo, digests, annotations) {
    const images = [];
    for (const digest of digests) {
        let found;
        try {
            found = await readRemote(client, repo, digest);
        }
        catch (error) {
            if (!(error instanceof registry_errors/* NotAnImage */.cw))
                throw error;
            throw new errors/* InputError */.dz('merge-digests', error.message);
        }
        if (!found) {
            throw new errors/* InputError */.dz('merge-digests', `${repo}@${digest} does not exist; push the platform images (push-by-digest) first`);
        }
        images.push(...found.images);
    }
    const seen = new Map();
    for (const img of images) {
        const key = platformKey(img.platform);
        const other = seen.get(key);
        if (other && other !== img.digest) {
            throw new errors/* InputError */.dz('merge-digests', `${other} and ${img.digest} are both ${(0,oci_platform/* formatPlatform */.Bq)(img.platform)}; one image per platform`);
        }
        seen.set(key, img.digest);
    }
    const unique = [...new Map(images.map(img => [img.digest, img])).values()];
    unique.sort((a, b) => {
        // Code-point order, not the runner's locale: the same inputs give the same index everywhere.
        const [x, y] = [platformKey(a.platform), platformKey(b.platform)];
        return x < y ? -1 : x > y ? 1 : 0;
    });
    return (0,oci_image/* index */.Pe)(unique, annotations);
}
/** The merge stage, instead of a build: one index over platform images already pushed. */
function mergeStage(inputs, registries, log) {
    return log.group('Merge platform images', async () => {
        const digests = parseMergeDigests(inputs.mergeDigests, inputs.image);
        const merged = await mergeImages(registries.client(inputs.image.registry), inputs.image, digests, inputs.annotations);
        log.info(`index ${merged.digest}: ${merged.images.map(i => `${(0,oci_platform/* formatPlatform */.Bq)(i.platform)} ${i.digest}`).join(', ')}`);
        return merged;
    });
}

// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(27481);
// EXTERNAL MODULE: ./src/registry/keychain.ts + 1 modules
var keychain = __nccwpck_require__(68886);
// EXTERNAL MODULE: ./src/registry/client.ts + 1 modules
var registry_client = __nccwpck_require__(55342);
;// CONCATENATED MODULE: ./src/registry/registries.ts

/** One client per registry host for a run, so that tokens and the auth scheme are learnt once. */
class Registries {
    options;
    clients = new Map();
    constructor(options) {
        this.options = options;
    }
    client(registry) {
        let client = this.clients.get(registry.name);
        if (!client) {
            client = new registry_client/* RegistryClient */.b(registry, this.options);
            this.clients.set(registry.name, client);
        }
        return client;
    }
}

// EXTERNAL MODULE: ./src/registry/transport.ts
var transport = __nccwpck_require__(40670);
;// CONCATENATED MODULE: ./src/sinks/layout.ts









const refName = 'org.opencontainers.image.ref.name';
/** What is at `path`, without following a link there. */
async function kind(path) {
    const info = await (0,promises_.lstat)(path).catch(() => undefined);
    if (!info)
        return undefined;
    if (info.isSymbolicLink())
        return 'link';
    return info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other';
}
/** A path in the layout must be what it should, never a link (a repository can commit links). */
async function expect(path, want) {
    const found = await kind(path);
    if (found === undefined)
        return false;
    if (found !== want)
        throw new Error(`${path} is ${found === 'link' ? 'a symbolic link' : `not a ${want === 'dir' ? 'directory' : 'regular file'}`}; an OCI layout is written only into real directories and files`);
    return true;
}
/**
 * Writes through a new temporary file (created exclusively, so never through a link planted at
 * its name) and a rename, which replaces the name itself: a reader never sees a torn file.
 */
async function writeNew(target, content) {
    const temporary = `${target}.${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    try {
        if (typeof content === 'function')
            await content(temporary);
        else
            await (0,promises_.writeFile)(temporary, content, { flag: 'wx' });
        await (0,promises_.rename)(temporary, target);
    }
    finally {
        await (0,promises_.rm)(temporary, { force: true });
    }
}
/** Writes a blob, checking its digest, so a layout never holds a torn or wrong blob. */
async function writeBlob(dir, blob) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(blob.descriptor.digest));
    if (await expect(target, 'file'))
        return;
    await writeNew(target, async (temporary) => {
        const hash = (0,external_node_crypto_.createHash)('sha256');
        const tap = new external_node_stream_.Transform({
            transform(chunk, _, done) {
                hash.update(chunk);
                done(null, chunk);
            }
        });
        await (0,external_node_stream_promises_namespaceObject.pipeline)(await blob.open(0), tap, (0,external_node_fs_.createWriteStream)(temporary, { flags: 'wx' }));
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== blob.descriptor.digest) {
            throw new Error(`blob ${blob.descriptor.digest} read back as ${actual}`);
        }
    });
}
async function writeBytes(dir, digest, bytes) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(digest));
    if (await expect(target, 'file'))
        return;
    await writeNew(target, bytes);
}
/**
 * Checks, before anything is built, that `dir` can hold a layout: a directory (or nothing yet)
 * whose `index.json`, if any, is an OCI index, with no symbolic link on the way from `workspace`
 * (a repository may commit `layout -> /elsewhere`) or among the layout's own entries.
 */
async function checkLayoutTarget(dir, workspace) {
    const rel = (0,external_node_path_.relative)(workspace, dir);
    if (rel !== '' && !rel.startsWith('..') && !(0,external_node_path_.isAbsolute)(rel)) {
        let path = workspace;
        for (const part of rel.split(external_node_path_.sep)) {
            path = (0,external_node_path_.join)(path, part);
            const found = await kind(path);
            if (found === undefined)
                break;
            if (found === 'link')
                throw new Error(`${path} is a symbolic link; choose a directory that is not one (a link in the repository could send the layout anywhere)`);
        }
    }
    const found = await kind(dir);
    if (found !== undefined && found !== 'dir')
        throw new Error(`${dir} exists and is not a directory`);
    if (found === undefined) {
        await (0,promises_.mkdir)(dir, { recursive: true });
        return;
    }
    for (const [entry, want] of [
        ['oci-layout', 'file'],
        ['index.json', 'file'],
        ['blobs', 'dir'],
        [(0,external_node_path_.join)('blobs', 'sha256'), 'dir']
    ])
        await expect((0,external_node_path_.join)(dir, entry), want);
    // A layout holds no links; one planted among its files (a temporary name, a blob) is refused.
    for (const sub of [dir, (0,external_node_path_.join)(dir, 'blobs'), (0,external_node_path_.join)(dir, 'blobs', 'sha256')]) {
        const entries = await (0,promises_.readdir)(sub, { withFileTypes: true }).catch(() => []);
        const link = entries.find(e => e.isSymbolicLink());
        if (link)
            throw new Error(`${(0,external_node_path_.join)(sub, link.name)} is a symbolic link; an OCI layout holds none (choose another directory)`);
    }
    const indexPath = (0,external_node_path_.join)(dir, 'index.json');
    if (await expect(indexPath, 'file')) {
        try {
            const index = JSON.parse(await (0,promises_.readFile)(indexPath, 'utf8'));
            if (!Array.isArray(index.manifests))
                throw new Error('no manifests list');
        }
        catch (error) {
            throw new Error(`${indexPath} is not an OCI image index (${error.message}); choose an empty directory`);
        }
    }
}
/**
 * Writes an artifact into an OCI image layout (image-spec `image-layout.md`), adding one
 * `index.json` entry per tag (`org.opencontainers.image.ref.name`) and replacing older entries of
 * the same names. Other images in the layout are kept.
 */
async function writeLayout(dir, artifact, tags) {
    for (const path of [(0,external_node_path_.join)(dir, 'blobs'), (0,external_node_path_.join)(dir, 'blobs', 'sha256')])
        if (!(await expect(path, 'dir')))
            await (0,promises_.mkdir)(path);
    await writeNew((0,external_node_path_.join)(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    for (const blob of (0,oci_image/* uniqueBlobs */.ge)(artifact))
        await writeBlob(dir, blob);
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    for (const img of images)
        await writeBytes(dir, img.digest, img.manifestBytes);
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    await writeBytes(dir, top.digest, top.bytes);
    const indexPath = (0,external_node_path_.join)(dir, 'index.json');
    let existing = {
        schemaVersion: 2,
        mediaType: media_types/* MediaType */.zu.ociIndex,
        manifests: []
    };
    if (await expect(indexPath, 'file'))
        existing = JSON.parse(await (0,promises_.readFile)(indexPath, 'utf8'));
    const names = new Set(tags);
    const kept = existing.manifests.filter(d => {
        const name = d.annotations?.[refName];
        return name === undefined ? d.digest !== top.digest : !names.has(name);
    });
    const base = {
        mediaType: top.mediaType,
        digest: top.digest,
        size: top.bytes.length
    };
    const added = tags.length
        ? tags.map(tag => ({ ...base, annotations: { [refName]: tag } }))
        : [base];
    const updated = {
        schemaVersion: 2,
        mediaType: media_types/* MediaType */.zu.ociIndex,
        manifests: [...kept, ...added]
    };
    await writeNew(indexPath, (0,oci_image/* canonicalBytes */.Mr)(updated));
}

// EXTERNAL MODULE: ./src/util/executable.ts
var executable = __nccwpck_require__(82146);
;// CONCATENATED MODULE: ./src/sinks/engine.ts













const defaults = {
    probeMs: 10_000,
    loadMs: 10 * 60_000,
    commandMs: 60_000
};
/** Neither Docker nor Podman answered; the message says why, for each. */
class EngineUnavailable extends Error {
    reasons;
    constructor(reasons) {
        super(`needs Docker or Podman on the runner, and neither answered (${reasons.join('; ')})`);
        this.reasons = reasons;
        this.name = 'EngineUnavailable';
    }
}
/**
 * The engine's environment: the front end's (PATH, HOME, DOCKER_HOST, DOCKER_CONFIG, CONTAINER_HOST,
 * CONTAINERS_STORAGE_CONF, XDG_RUNTIME_DIR, …), minus the step's inputs and anything named like a
 * credential: loading involves no secret, so none is handed to another program.
 */
function engineEnvironment(env) {
    return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_') && !/TOKEN|PASSWORD|SECRET/i.test(name)));
}
/** Keeps the end of a stream's text: an engine's output is only ever summarised. */
class Tail {
    text = '';
    add(chunk) {
        this.text = (this.text + chunk.toString('utf8')).slice(-64 * 1024);
    }
    toString() {
        return this.text;
    }
}
/**
 * Runs the engine's CLI within `timeoutMs`, optionally feeding it `input`. It runs in a process
 * group of its own, killed whole when time is up, and the answer does not wait for its output to
 * close: a wrapper script's children (a `docker` that runs `docker.real` without `exec`) hold that
 * output open, and would otherwise keep the limit from holding.
 */
function run(command, args, timeoutMs, input) {
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)(command.path, args, {
            env: command.env,
            stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
            detached: true
        });
        const stdout = new Tail();
        const stderr = new Tail();
        child.stdout?.on('data', (chunk) => stdout.add(chunk));
        child.stderr?.on('data', (chunk) => stderr.add(chunk));
        let settled = false;
        const settle = () => {
            if (settled)
                return false;
            settled = true;
            clearTimeout(timer);
            return true;
        };
        const timer = setTimeout(() => {
            if (!settle())
                return;
            try {
                if (child.pid)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // Already gone.
            }
            child.stdin?.destroy();
            child.stdout?.destroy();
            child.stderr?.destroy();
            resolve({
                code: null,
                stdout: stdout.toString(),
                stderr: stderr.toString(),
                timedOut: true
            });
        }, timeoutMs);
        const feeding = input && child.stdin
            ? (0,external_node_stream_promises_namespaceObject.pipeline)(external_node_stream_.Readable.from(input), child.stdin).then(() => undefined, (error) => error)
            : Promise.resolve(undefined);
        child.once('error', error => {
            if (settle())
                reject(error);
        });
        child.once('close', code => {
            if (!settle())
                return;
            void feeding.then(inputError => resolve({
                code,
                stdout: stdout.toString(),
                stderr: stderr.toString(),
                timedOut: false,
                inputError
            }));
        });
    });
}
/** One line of what an engine said on failure: its error lines, else its last lines. */
function summary(ran) {
    const lines = `${ran.stderr}\n${ran.stdout}`
        .split('\n')
        .map(line => line.trim())
        .filter(Boolean);
    const errors = lines.filter(line => /error|denied|cannot|invalid/i.test(line));
    const chosen = (errors.length ? errors : lines).slice(-3);
    return chosen.length ? (0,util_text/* foreignText */.q)(chosen.join(' '), 300) : 'no output';
}
/** What went wrong with one command, for a message: it timed out, or what it said. */
function problem(what, ran, timeoutMs) {
    return ran.timedOut
        ? `\`${what}\` did not finish within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`
        : `\`${what}\` failed (exit ${ran.code ?? 'by signal'}): ${summary(ran)}`;
}
function failure(engine, what, ran, timeoutMs) {
    return new Error(`${engine.name}: ${problem(what, ran, timeoutMs)}`);
}
const probes = {
    docker: {
        name: 'Docker',
        // Asks the daemon, not only the CLI: a CLI without a reachable daemon cannot load anything.
        args: [
            'version',
            '--format',
            '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}'
        ]
    },
    podman: {
        name: 'Podman',
        // `info` opens the storage (and, remote, the service): what `load` will need.
        args: [
            'info',
            '--format',
            '{{.Version.Version}} {{.Host.OS}}/{{.Host.Arch}}'
        ]
    }
};
/**
 * The engine to load into: Docker when its CLI is on PATH and its daemon answers within a few
 * seconds, else Podman when it answers, else an `EngineUnavailable` naming both and why. Looked up
 * in the front end's environment only; called before anything is built.
 */
async function findEngine(options) {
    const env = engineEnvironment(options.env);
    const timeoutMs = options.timeouts?.probeMs ?? defaults.probeMs;
    const reasons = [];
    for (const kind of ['docker', 'podman']) {
        const probe = probes[kind];
        const path = await (0,executable/* findExecutable */.o)(kind, env);
        if (!path) {
            reasons.push(`${kind}: not found on PATH`);
            continue;
        }
        const what = `${kind} ${probe.args[0]}`;
        const ran = await run({ path, env }, [...probe.args], timeoutMs).catch((error) => ({
            code: null,
            stdout: '',
            stderr: error.message,
            timedOut: false
        }));
        const answer = /^(\S+) ([a-z0-9]+)\/([a-z0-9]+)$/.exec(ran.stdout.trim());
        if (ran.code === 0 && answer) {
            const engine = {
                kind,
                name: probe.name,
                path,
                version: answer[1],
                platform: { os: answer[2], architecture: answer[3] },
                env
            };
            options.log.info(`load: ${engine.name} ${engine.version} (${(0,oci_platform/* formatPlatform */.Bq)(engine.platform)}) at ${path}`);
            return engine;
        }
        const reason = ran.code === 0
            ? `\`${what}\` answered unexpectedly: ${(0,util_text/* foreignText */.q)(ran.stdout, 120) || 'nothing'}`
            : problem(what, ran, timeoutMs);
        reasons.push(`${kind}: ${reason}`);
        options.log.info(`load: ${kind} is not used: ${reason}`);
    }
    throw new EngineUnavailable(reasons);
}
/**
 * The image an engine gets: an engine holds one image per tag, so of an index the one for the
 * engine's platform (else the first, with a warning); said in the log either way.
 */
function imageFor(artifact, engine, log) {
    const wanted = (0,oci_platform/* formatPlatform */.Bq)(engine.platform);
    if (artifact.kind === 'image') {
        if (!(0,oci_platform/* platformMatches */.J5)(artifact.platform, engine.platform))
            log.warning(`loading a ${(0,oci_platform/* formatPlatform */.Bq)(artifact.platform)} image into a ${wanted} ${engine.name}: running it there needs emulation (binfmt/QEMU)`);
        return artifact;
    }
    const all = artifact.images.map(i => (0,oci_platform/* formatPlatform */.Bq)(i.platform)).join(', ');
    const match = artifact.images.find(i => (0,oci_platform/* platformMatches */.J5)(i.platform, engine.platform));
    if (match) {
        log.info(`the image has ${artifact.images.length} platforms (${all}); loading ${(0,oci_platform/* formatPlatform */.Bq)(match.platform)}, ${engine.name}'s platform`);
        return match;
    }
    const first = artifact.images[0];
    log.warning(`the image has no ${wanted} platform (it has ${all}); loading the first, ${(0,oci_platform/* formatPlatform */.Bq)(first.platform)} (running it needs emulation)`);
    return first;
}
/**
 * Writes `image` as an archive that every engine reads: an OCI image layout (the layout writer,
 * blobs checked against their digests) with the first reference in `index.json`
 * (`io.containerd.image.name`, read by Podman and Docker's containerd store), plus Docker's
 * `manifest.json` naming the same blobs, which is all Docker before 25 reads. `docker save`
 * (25 and later) writes this same shape.
 */
async function writeArchiveTree(dir, image, reference) {
    await writeLayout(dir, image, []);
    const tag = reference.slice(reference.lastIndexOf(':') + 1);
    const index = {
        schemaVersion: 2,
        mediaType: media_types/* MediaType */.zu.ociIndex,
        manifests: [
            {
                mediaType: image.manifest.mediaType,
                digest: image.digest,
                size: image.manifestBytes.length,
                annotations: {
                    'io.containerd.image.name': reference,
                    'org.opencontainers.image.ref.name': tag
                }
            }
        ]
    };
    const blob = (digest) => `blobs/sha256/${(0,oci_digest/* digestHex */.sU)(digest)}`;
    const dockerManifest = [
        {
            Config: blob(image.configBlob.descriptor.digest),
            RepoTags: [reference],
            Layers: image.layers.map(l => blob(l.descriptor.digest))
        }
    ];
    await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'index.json'), (0,oci_image/* canonicalBytes */.Mr)(index));
    await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'manifest.json'), (0,oci_image/* canonicalBytes */.Mr)(dockerManifest));
    const file = async (path) => {
        const info = await (0,promises_.stat)((0,external_node_path_.join)(dir, path));
        return {
            type: 'file',
            path,
            mode: 0o644,
            size: info.size,
            source: (0,external_node_path_.join)(dir, path),
            identity: { dev: info.dev, ino: info.ino }
        };
    };
    const blobs = (await (0,promises_.readdir)((0,external_node_path_.join)(dir, 'blobs', 'sha256'))).sort();
    return [
        await file('oci-layout'),
        await file('index.json'),
        await file('manifest.json'),
        { type: 'dir', path: 'blobs', mode: 0o755 },
        { type: 'dir', path: 'blobs/sha256', mode: 0o755 },
        ...(await Promise.all(blobs.map(name => file(`blobs/sha256/${name}`))))
    ];
}
/**
 * Loads the image into the engine under every reference: the archive (written under `tempDir`,
 * removed afterwards) is streamed into `load`, which names it by the first reference; `tag` adds
 * the others; `image inspect` then checks that each names this image (by the config digest, the
 * image ID of Docker's classic store and Podman, or the manifest digest, Docker's containerd store).
 */
async function loadIntoEngine(engine, artifact, references, options) {
    const { log } = options;
    const timeouts = { ...defaults, ...options.timeouts };
    if (references.length === 0)
        throw new Error('an image is loaded under its tags, and there are none');
    const image = imageFor(artifact, engine, log);
    const [first, ...others] = references;
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(options.tempDir, 'imprint-load-'));
    try {
        const entries = await writeArchiveTree(dir, image, first);
        const loading = await run(engine, ['load', '--quiet'], timeouts.loadMs, tarStream(entries, { mtime: 0, uid: 0, gid: 0 }));
        // A failure of our own (a blob that changed on disk) comes first; a pipe the engine closed
        // only means it stopped reading, and then what it said is the story.
        const closedByEngine = ['EPIPE', 'ERR_STREAM_DESTROYED'].includes(loading.inputError?.code ?? '');
        if (loading.inputError && !closedByEngine && !loading.timedOut)
            throw new Error(`the archive for ${engine.name} could not be written: ${loading.inputError.message}`);
        if (loading.code !== 0 || loading.timedOut)
            throw failure(engine, `${engine.kind} load`, loading, timeouts.loadMs);
        if (loading.inputError)
            throw new Error(`${engine.name}: \`${engine.kind} load\` stopped reading the archive (${loading.inputError.message}) and still succeeded`);
        log.debug(`${engine.kind} load: ${(0,util_text/* foreignText */.q)(loading.stdout, 300)}`);
        for (const reference of others) {
            const tagged = await run(engine, ['tag', first, reference], timeouts.commandMs);
            if (tagged.code !== 0 || tagged.timedOut)
                throw failure(engine, `${engine.kind} tag`, tagged, timeouts.commandMs);
        }
        const inspected = await run(engine, ['image', 'inspect', '--format', '{{.Id}}', ...references], timeouts.commandMs);
        if (inspected.code !== 0 || inspected.timedOut)
            throw failure(engine, `${engine.kind} image inspect`, inspected, timeouts.commandMs);
        const ours = new Set([
            (0,oci_digest/* digestHex */.sU)(image.configBlob.descriptor.digest),
            (0,oci_digest/* digestHex */.sU)(image.digest)
        ]);
        const ids = inspected.stdout.trim().split('\n');
        references.forEach((reference, i) => {
            const id = (ids[i] ?? '').trim().replace(/^sha256:/, '');
            if (!ours.has(id))
                throw new Error(`${engine.name}: after loading, ${reference} is image ${(0,util_text/* foreignText */.q)(id, 80) || '(none)'}, not ${image.configBlob.descriptor.digest} (config) or ${image.digest} (manifest)`);
        });
        const platform = (0,oci_platform/* formatPlatform */.Bq)(image.platform);
        log.info(`loaded ${image.digest} (${platform}) into ${engine.name} as ${references.join(', ')}`);
        return { engine: engine.name, platform, references: [...references] };
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/sinks/registry.ts



/** A tag that points at another image, and overwriting was not allowed. */
class TagConflictError extends Error {
    reference;
    existing;
    wanted;
    constructor(reference, existing, wanted, 
    /** How the two images differ, and what to do about it. */
    detail) {
        super(`${reference} already points at ${existing}, not at this run's image ${wanted}: ${detail}. Tags are immutable; allow-tag-overwrite: true moves it`);
        this.reference = reference;
        this.existing = existing;
        this.wanted = wanted;
        this.name = 'TagConflictError';
    }
}
/** Looks up every tag before anything is written (the caller decides what a conflict means). */
async function planTags(client, repo, tags) {
    const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
    return Promise.all(tags.map(async (tag) => ({
        tag,
        existing: await client.resolveTag(repo, tag, scopes)
    })));
}
/** Makes sure `repo` has one blob: HEAD, a mount from its origin on this registry, or an upload. */
async function pushOne(client, repo, blob, 
/** Where blobs without an origin of their own are (another repository this run pushed to). */
pushedTo) {
    const { digest, size } = blob.descriptor;
    const origin = blob.origin ?? pushedTo;
    const mountFrom = origin && origin.registry.name === repo.registry.name ? origin : undefined;
    const outcome = await client.pushBlob(repo, digest, { size, open: offset => blob.open(offset) }, mountFrom);
    return { digest, size, outcome };
}
/**
 * Blobs sent while the build is still running — base layers once the base is resolved, each new
 * layer once it is written — so uploads overlap compression. Only a head start: the push stage
 * takes what finished here and meets (and reports) any failure itself.
 */
class EarlyUploads {
    client;
    repo;
    log;
    started = new Map();
    slot;
    cancelled = false;
    following = [];
    followed = [];
    constructor(client, repo, jobs, log) {
        this.client = client;
        this.repo = repo;
        this.log = log;
        this.slot = (0,pool/* limiter */.T)(jobs);
    }
    /** Starts an upload of a blob that exists now (in an upload slot). */
    blob(blob) {
        const { digest } = blob.descriptor;
        if (this.started.has(digest))
            return;
        this.started.set(digest, this.slot(async () => this.cancelled ? undefined : pushOne(this.client, this.repo, blob)).then(outcome => {
            if (outcome)
                this.log.debug(`${digest}: ${outcome.outcome} during the build`);
            return outcome;
        }, error => {
            this.log.debug(`${digest}: early upload failed, left for the push: ${error.message}`);
            return undefined;
        }));
    }
    /**
     * Uploads a layer while it is being written: chunks go out as the compressor produces them.
     * Its digest is known only at the end, so it is found under it once complete. It takes no
     * upload slot: it mostly waits for the compressor, and layers are written a few at a time.
     */
    growing(file, name) {
        if (this.cancelled)
            return;
        this.followed.push(file);
        const upload = (async () => {
            try {
                const { digest, outcome } = await this.client.pushGrowingBlob(this.repo, file);
                const { available: size } = await file.ready(0);
                this.log.debug(`${digest}: ${outcome} while it was written (${name})`);
                this.started.set(digest, Promise.resolve({ digest, size, outcome }));
            }
            catch (error) {
                this.log.debug(`${name}: upload while writing failed, left for the push: ${error.message}`);
            }
        })();
        this.following.push(upload);
    }
    async outcome(digest) {
        if (!this.started.has(digest))
            await Promise.all(this.following);
        return this.started.get(digest);
    }
    /** The build failed: uploads not yet begun are dropped, and those following a file stop. */
    cancel() {
        this.cancelled = true;
        for (const file of this.followed)
            file.fail(new Error('the build failed'));
    }
    /** Waits for every started upload: their files must outlive them. */
    async settled() {
        await Promise.all([...this.following, ...this.started.values()]);
    }
}
/**
 * Pushes an artifact like go-containerregistry's `remote.Write`: blobs first (HEAD, mount, upload;
 * in parallel), then child manifests by digest, then the top-level manifest under each tag.
 * A run whose tags all point at this digest already uploads nothing.
 */
async function pushArtifact(client, repo, artifact, plans, options) {
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    if (plans.length > 0 && plans.every(p => p.existing === top.digest)) {
        options.log.info(`every tag already points at ${top.digest}; nothing to upload`);
        return {
            blobs: [],
            uploadedBytes: 0,
            reusedBytes: 0,
            tags: plans.map(p => ({ tag: p.tag, outcome: 'unchanged' }))
        };
    }
    const blobs = (0,oci_image/* uniqueBlobs */.ge)(artifact);
    const outcomes = await (0,pool/* mapBounded */.y)(blobs, options.jobs, async (blob) => {
        const early = await options.early?.outcome(blob.descriptor.digest);
        if (early)
            return early;
        const pushed = await pushOne(client, repo, blob, options.pushedTo);
        options.log.debug(`${pushed.digest}: ${pushed.outcome}`);
        return pushed;
    });
    if (artifact.kind === 'index') {
        for (const img of artifact.images) {
            await client.putManifest(repo, img.digest, img.manifestBytes, img.manifest.mediaType);
        }
    }
    const tags = [];
    if (plans.length === 0) {
        await client.putManifest(repo, top.digest, top.bytes, top.mediaType);
    }
    for (const plan of plans) {
        if (plan.existing === top.digest) {
            tags.push({ tag: plan.tag, outcome: 'unchanged' });
            continue;
        }
        await client.putManifest(repo, plan.tag, top.bytes, top.mediaType);
        tags.push({
            tag: plan.tag,
            outcome: plan.existing ? 'overwritten' : 'created'
        });
    }
    const uploadedBytes = outcomes
        .filter(o => o.outcome === 'uploaded')
        .reduce((n, o) => n + o.size, 0);
    const reusedBytes = outcomes
        .filter(o => o.outcome !== 'uploaded')
        .reduce((n, o) => n + o.size, 0);
    return { blobs: outcomes, uploadedBytes, reusedBytes, tags };
}

;// CONCATENATED MODULE: ./src/pipeline/tag-conflict.ts




/**
 * Which of this run's settings the existing image does not have (its config and annotations also
 * hold what its base gave it, which may differ on a newer base: only what the inputs set is
 * compared).
 */
function settingsMissing(image, settings) {
    const container = image.config.config ?? {};
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const missing = [];
    if (settings.entrypoint && !same(container.Entrypoint, settings.entrypoint))
        missing.push('entrypoint');
    if (settings.cmd && !same(container.Cmd, settings.cmd))
        missing.push('cmd');
    for (const [key, value] of settings.env)
        if (!(container.Env ?? []).includes(`${key}=${value}`))
            missing.push(`env ${key}`);
    if (settings.workdir && container.WorkingDir !== settings.workdir)
        missing.push('workdir');
    if (settings.user && container.User !== settings.user)
        missing.push('user');
    for (const [key, value] of Object.entries(settings.labels))
        if (container.Labels?.[key] !== value)
            missing.push(`label ${key}`);
    for (const [key, value] of Object.entries(settings.annotations))
        if (image.manifest.annotations?.[key] !== value)
            missing.push(`annotation ${key}`);
    return missing;
}
const tag_conflict_images = (artifact) => artifact.kind === 'image' ? [artifact] : artifact.images;
const revisionOf = (image) => image.config.config?.Labels?.[annotationKeys.revision];
/** The config without the label a release tag sets (`org.opencontainers.image.version`). */
function withoutVersion(image) {
    const { config } = image;
    const labels = { ...(config.config?.Labels ?? {}) };
    delete labels[annotationKeys.version];
    return JSON.stringify({
        ...config,
        config: { ...config.config, Labels: labels }
    });
}
const tag_conflict_short = (value) => value ? value.slice(0, 7) : 'an unknown commit';
async function judgeTagConflict(client, repo, tag, existing, ours, options = {}) {
    const { mergeCheckout } = options;
    const reference = `${repo}:${tag}`;
    const conflict = (detail) => ({
        kind: 'conflict',
        error: new TagConflictError(reference, existing, ours.digest, detail)
    });
    const theirs = await readRemote(client, repo, existing).catch(() => undefined);
    const ourImages = tag_conflict_images(ours);
    const revision = revisionOf(ourImages[0]);
    if (!theirs?.artifact)
        return conflict('the image under it cannot be read to say how it differs');
    const theirImages = tag_conflict_images(theirs.artifact);
    const theirRevision = revisionOf(theirImages[0]);
    if (!revision || theirRevision !== revision) {
        return conflict(`it was built from commit ${tag_conflict_short(theirRevision)}, this run builds ${tag_conflict_short(revision)}; give each commit's image its own tag`);
    }
    const byPlatform = new Map(theirImages.map(image => [(0,oci_platform/* formatPlatform */.Bq)(image.platform), image]));
    for (const image of ourImages) {
        const platform = (0,oci_platform/* formatPlatform */.Bq)(image.platform);
        const their = byPlatform.get(platform);
        if (!their || byPlatform.size !== ourImages.length)
            return conflict(`the same commit was built for other platforms (${[...byPlatform.keys()].join(', ')})`);
        const built = image.layers.filter(layer => layer.built);
        const theirIds = their.config.rootfs.diff_ids.slice(-built.length);
        const differing = built.findIndex((layer, i) => layer.built.diffId !== theirIds[i]);
        if (differing >= 0) {
            const layer = built[differing].built;
            const found = `it holds the same commit, but its layer ${differing + 1} (${layer.source} → ${layer.destination}) has other content (${platform}: diffID ${theirIds[differing]?.slice(0, 19)}, now ${layer.diffId.slice(0, 19)})`;
            return conflict(mergeCheckout
                ? `${found}. This pull_request run built the checkout ${tag_conflict_short(mergeCheckout)}, the merge of head ${tag_conflict_short(revision)} into the base branch, which can change while the head does not: check out the head (actions/checkout with ref: \${{ github.event.pull_request.head.sha }}) to build the head alone, or let pull request previews move their tags (allow-tag-overwrite: true)`
                : `${found}. A build step that writes this source is not deterministic: fix times (SOURCE_DATE_EPOCH), sort what it lists, pin versions and leave out what varies (caches, build ids)`);
        }
    }
    const bases = {
        existing: theirImages[0].manifest.annotations?.[annotationKeys.baseDigest],
        ours: ourImages[0].manifest.annotations?.[annotationKeys.baseDigest]
    };
    if (bases.existing !== bases.ours) {
        const missing = options.settings
            ? [
                ...new Set(theirImages.flatMap(image => settingsMissing(image, options.settings)))
            ]
            : [];
        if (missing.length > 0)
            return conflict(`it holds the same commit and layers on an older base, but was built with other settings (${missing.join(', ')} differ from this run's); give images of other settings their own tags, or set allow-tag-overwrite: true`);
        return {
            kind: 'existing',
            why: 'base-moved',
            artifact: theirs.artifact,
            bases
        };
    }
    const sameButVersion = ourImages.every(image => {
        const their = byPlatform.get((0,oci_platform/* formatPlatform */.Bq)(image.platform));
        return (withoutVersion(their) === withoutVersion(image) &&
            JSON.stringify(their.manifest.annotations ?? {}) ===
                JSON.stringify(image.manifest.annotations ?? {}));
    });
    if (sameButVersion)
        return {
            kind: 'existing',
            why: 'release',
            artifact: theirs.artifact,
            bases
        };
    return conflict('it holds the same commit and layers, built with other settings (entrypoint, env, labels, annotations or source-date-epoch)');
}

;// CONCATENATED MODULE: ./src/pipeline/push.ts












/**
 * Uploads may start during the build only when nothing can stop the push later on input grounds:
 * a tag that exists already (and may not be overwritten) could be a conflict, which must leave the
 * registry untouched, so then blobs wait for the push stage. The push stage looks the tags up
 * again: one may appear while this run builds.
 */
async function startEarlyUploads(inputs, tags, registries, jobs, log) {
    if (!inputs.push || inputs.mergeDigests.length > 0)
        return undefined;
    const client = registries.client(inputs.image.registry);
    if (!inputs.allowTagOverwrite) {
        try {
            // In every repository: a conflict in any of them must leave all of them untouched.
            const existing = await Promise.all(inputs.images.flatMap(repo => tags.map(tag => registries
                .client(repo.registry)
                .resolveTag(repo, tag, [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')]))));
            if (existing.some(Boolean)) {
                log.debug('a tag exists already: uploads wait for the tag check');
                return undefined;
            }
        }
        catch (error) {
            log.debug(`tags not readable yet (${error.message}): uploads wait for the push`);
            return undefined;
        }
    }
    return new EarlyUploads(client, inputs.image, jobs, log);
}
/**
 * The registries of this run, one client each, with the credentials they get: the inputs' for
 * the image's registry, else the Docker and containers logins, else the GitHub token for ghcr.io.
 * The image's and the base's repositories pick the most specific login a containers auth.json
 * holds for a namespace.
 */
function registriesFor(inputs, context, options) {
    const { env, execArgv, ...client } = options;
    return new Registries({
        ...client,
        keychain: (0,keychain/* defaultKeychain */.I)({
            explicit: inputs.username && inputs.password
                ? {
                    registry: inputs.image.registry,
                    username: inputs.username,
                    password: inputs.password
                }
                : undefined,
            githubToken: inputs.githubToken,
            githubActor: context.actor,
            repositories: [
                inputs.image,
                ...(inputs.base && inputs.base !== 'scratch'
                    ? [inputs.base.repository]
                    : [])
            ],
            env
        }),
        insecureRegistries: inputs.insecureRegistries,
        userAgent: 'imprint',
        socketReads: !(0,transport/* proxiedByEnvironment */.W)(env, execArgv)
    });
}
/**
 * The OCI layout directory to write, checked before anything is built (the directory, and no
 * symbolic link on the way to it or in it); undefined when none was asked for.
 */
async function layoutTarget(inputs, workspace) {
    if (!inputs.ociLayout)
        return undefined;
    const dir = (0,external_node_path_.resolve)(workspace, inputs.ociLayout);
    await checkLayoutTarget(dir, workspace).catch(error => {
        throw new errors/* InputError */.dz('oci-layout', error.message);
    });
    return dir;
}
/**
 * The engine `load` goes to, found before anything is built (so a runner without one costs no
 * build): Docker when its CLI answers, else Podman; undefined when `load` is off.
 */
async function loadTarget(inputs, options) {
    if (!inputs.load)
        return undefined;
    try {
        return await findEngine(options);
    }
    catch (error) {
        if (error instanceof EngineUnavailable)
            throw new Error(`load: true ${error.message}`);
        throw error;
    }
}
function refusedCredentials(error) {
    return (error instanceof registry_errors/* AuthenticationError */.v3 ||
        (error instanceof registry_errors/* RegistryError */.gl &&
            (error.status === 401 ||
                error.status === 403 ||
                error.codes.includes('DENIED'))));
}
/**
 * The push stage: the image into the registry under its tags (nothing written when a tag would
 * move, unless allowed), into an OCI layout when asked, and into the runner's engine with `load`
 * (also without pushing: test, then push the same digest). A pull request from a fork gets
 * read-only credentials: then the image is reported, not pushed, and the run does not fail.
 */
async function publish(artifact, tags, inputs, context, options) {
    const { log } = options;
    const published = { artifact };
    if (inputs.push) {
        try {
            Object.assign(published, await log.group(`Push ${inputs.images.join(', ')}`, () => pushWithTags(artifact, tags, inputs, {
                ...options,
                mergeCheckout: context.mergeCheckout
            })));
        }
        catch (error) {
            if (!(isPullRequest(context) && refusedCredentials(error)))
                throw error;
            published.pushSkipped =
                "the pull request's credentials may not push (a fork)";
            log.warning(`not pushed: ${published.pushSkipped}; the image was built and is reported (${error.message})`);
        }
    }
    if (options.layoutDir) {
        const dir = options.layoutDir;
        await log.group(`Write OCI layout ${inputs.ociLayout}`, () => writeLayout(dir, artifact, tags));
    }
    const { load } = options;
    if (load) {
        // What the tags point at: this run's image, or the commit's existing one (base moved).
        const target = published.artifact;
        published.loaded = await log.group(`Load into ${load.engine.name}`, () => loadIntoEngine(load.engine, target, tags.map(tag => `${inputs.image}:${tag}`), { tempDir: load.tempDir, log, timeouts: load.timeouts }));
    }
    return published;
}
/**
 * Looks every tag up, in every repository, before anything is written. A tag at another image is a
 * conflict (nothing written anywhere) unless overwriting is allowed, or it holds this very
 * commit's build on an older base: a re-run after the base tag moved deploys that image instead
 * (with a notice). Then the primary repository is pushed, and each other one from it (mounted on
 * the same registry, copied to another), so every repository has the same digest under the same
 * tags.
 */
async function pushWithTags(artifact, tags, inputs, options) {
    const { log } = options;
    const clientOf = (repo) => options.registries.client(repo.registry);
    const plans = await Promise.all(inputs.images.map(repo => planTags(clientOf(repo), repo, tags)));
    let target = artifact;
    if (!inputs.allowTagOverwrite) {
        for (const [i, repo] of inputs.images.entries()) {
            const conflicts = plans[i].filter(p => p.existing !== undefined && p.existing !== target.digest);
            for (const conflict of conflicts) {
                if (conflict.existing === target.digest)
                    continue;
                const verdict = await judgeTagConflict(clientOf(repo), repo, conflict.tag, conflict.existing, target, { mergeCheckout: options.mergeCheckout, settings: inputs });
                if (verdict.kind === 'conflict')
                    throw verdict.error;
                // Only the primary repository's tag can make the run deploy an existing image.
                if (i > 0 || target !== artifact)
                    throw conflictWith(repo, conflict, target);
                target = verdict.artifact;
                (log.notice ?? log.info)(existingNotice(repo, conflict.tag, target, verdict));
            }
        }
    }
    const [primary, ...others] = inputs.images;
    const push = await pushArtifact(clientOf(primary), primary, target, plans[0], {
        jobs: options.jobs,
        log,
        early: target === artifact ? options.early : undefined
    });
    const mirrors = [];
    for (const [i, repo] of others.entries()) {
        mirrors.push({
            repository: String(repo),
            push: await pushArtifact(clientOf(repo), repo, target, plans[i + 1], {
                jobs: options.jobs,
                log,
                pushedTo: primary
            })
        });
    }
    return { artifact: target, push, mirrors };
}
/** Why the run deploys an image that already exists rather than the one it built. */
function existingNotice(repo, tag, target, verdict) {
    const deploying = `Deploying the existing image ${target.digest}: no layer is pushed, only the tags it lacks are added`;
    if (verdict.why === 'release')
        return `${repo}:${tag} already holds this commit's image, with the same base and layers; it differs from this run's only in its version label (org.opencontainers.image.version). ${deploying}, so the release is the image that was built and tested before; it keeps its labels. For release images with their own version label, give them tags without {{sha}}`;
    return `${repo}:${tag} already holds this commit's image, built on base ${verdict.bases.existing ?? '(unknown)'}; this run's base resolved to ${verdict.bases.ours ?? '(unknown)'}, and its layers are the same. ${deploying}. To build on the new base, tag with {{base_digest}} (e.g. tags: '{{sha}}-{{base_digest}}') or set allow-tag-overwrite: true`;
}
/** A tag of another repository that holds an image other than the one this run deploys. */
function conflictWith(repo, plan, target) {
    return new TagConflictError(`${repo}:${plan.tag}`, plan.existing, target.digest, 'every image repository must hold the same image under the same tags');
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
/** Escapes text for a Markdown table cell: no HTML, no pipes, no line breaks. */
function escapeCell(text) {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;')
        .replace(/`/g, '&#96;')
        .replace(/[\\[\]()!*_~]/g, match => `\\${match}`)
        .replace(/\r?\n/g, ' ');
}
const code = (text) => `<code>${escapeCell(text)}</code>`;

;// CONCATENATED MODULE: ./src/report/pr-comment.ts



/** The hidden line that identifies this image's comment, so each run updates it in place. */
function commentMarker(repository) {
    return `<!-- imprint:image=${repository} -->`;
}
function signedBytes(delta) {
    if (delta === 0)
        return '±0';
    return `${delta > 0 ? '+' : '−'}${formatBytes(Math.abs(delta))}`;
}
/** The sticky pull request comment: digest, references, and what changed against the base branch. */
function renderComment(result, baseBranch) {
    // GitHub refuses comments over 65536 characters: without the layer tables when it would be.
    const full = render(result, baseBranch, true);
    return full.length < 60_000 ? full : render(result, baseBranch, false);
}
function render(result, baseBranch, layerTables) {
    const lines = [
        commentMarker(result.repository),
        `### Imprint: ${escapeCell(result.repository)}`,
        ''
    ];
    lines.push('| | |', '|---|---|');
    lines.push(`| Digest | ${code(result.digest)} |`);
    lines.push(`| Image | ${result.pushed ? code(result.image) : `not pushed (${result.pushSkipped ? escapeCell(result.pushSkipped) : 'push: false'})`} |`);
    if (result.pushed && result.tags.length)
        lines.push(`| Tags | ${result.tags.map(code).join('<br>')} |`);
    lines.push(`| Platforms | ${result.platforms.map(p => escapeCell(p.platform)).join(', ')} |`);
    if (result.revision)
        lines.push(`| Commit | ${code(result.revision)} |`);
    for (const record of result.signatures)
        lines.push(`| Signature | ${code(record.legacy)} |`);
    const comparison = result.comparison;
    const against = baseBranch
        ? `the ${code(baseBranch)} branch`
        : 'the base branch';
    lines.push('');
    if (!comparison) {
        lines.push(`No image was found for the base commit of ${against}, so there is nothing to compare with.`);
    }
    else {
        lines.push(`#### Compared with ${against} (${code(comparison.reference)})`, '');
        const { before, after } = comparison.baseImage;
        if (before !== after) {
            lines.push(`Base image changed: ${before ? code(before) : 'none'} → ${after ? code(after) : 'none'}`, '');
        }
        for (const platform of comparison.platforms) {
            const changed = platform.layers.filter(l => l.status !== 'unchanged').length;
            const removed = platform.removed.length;
            const what = changed + removed === 0
                ? 'no layer changed'
                : `${changed} of ${platform.layers.length} layers changed${removed ? `, ${removed} removed` : ''}`;
            lines.push(`**${escapeCell(platform.platform)}**: ${what}, ${formatBytes(platform.total)} (${signedBytes(platform.total - platform.baseTotal)})`, '');
            if (!layerTables)
                continue;
            lines.push('| # | Layer | Digest | Size | Δ size | |', '|---|---|---|---|---|---|');
            for (const layer of platform.layers) {
                lines.push(`| ${layer.position + 1} | ${layer.source ? code(layer.source) : 'base'} | ${code(layer.digest.slice(0, 19))} | ${formatBytes(layer.size)} | ${signedBytes(layer.delta)} | ${layer.status} |`);
            }
            for (const removed of platform.removed) {
                lines.push(`| – | removed | ${code(removed.digest.slice(0, 19))} | – | ${signedBytes(-removed.size)} | removed |`);
            }
            lines.push('');
        }
    }
    // GitHub refuses comments over 65536 characters: a long preview is cut, the log has it all.
    let preview = result.deploy?.preview ?? [];
    const budget = 50_000;
    if (preview.join('\n').length > budget) {
        preview = [
            preview.join('\n').slice(0, budget),
            '… (cut; the job log has the whole diff)'
        ];
    }
    if (preview.length) {
        lines.push('<details><summary>Manifest changes merging this would make</summary>', '', '```diff', ...preview.map(d => d.replace(/```/g, '`\u200b``')), '```', '', '</details>', '');
    }
    return lines.join('\n');
}
/** Keeps one comment per marker: updated in place when it exists, created otherwise. */
async function upsertComment(api, target, marker, body) {
    // Ours start with the marker; a comment merely quoting it is someone else's.
    const existing = (await api.listComments(target.owner, target.repo, target.issue)).find(c => c.body?.startsWith(marker));
    if (existing) {
        try {
            await api.updateComment(target.owner, target.repo, existing.id, body);
            return { id: existing.id, action: 'updated' };
        }
        catch (error) {
            // Not ours to edit (another author planted the marker): write our own instead.
            if (!(error instanceof github_api/* GitHubApiError */.OS &&
                (error.status === 403 || error.status === 404)))
                throw error;
        }
    }
    const created = await api.createComment(target.owner, target.repo, target.issue, body);
    return { id: created.id, action: 'created' };
}

;// CONCATENATED MODULE: ./src/pipeline/report.ts


/**
 * The report stage: on pull requests, keeps this image's comment up to date. A read-only token
 * (forks), a missing pull request or an API error is a warning: the job summary, which the front
 * end writes from the same result, still has everything.
 */
async function report(result, inputs, context, log) {
    const pullRequest = result.pullRequest;
    // Fan-out legs would overwrite each other's comment; the merge job reports the index.
    if (!pullRequest || !inputs.comment || inputs.pushByDigest)
        return;
    await log.group('Report', async () => {
        const [owner, repo] = (context.repository ?? '').split('/');
        if (!owner || !repo) {
            log.warning('pull request comment skipped: GITHUB_REPOSITORY is not set');
            return;
        }
        if (!inputs.githubToken) {
            log.warning('pull request comment skipped: github-token is empty');
            return;
        }
        try {
            const { action } = await upsertComment(new github_api/* GitHubApi */.yN(inputs.githubToken, context.apiUrl), { owner, repo, issue: pullRequest.number }, commentMarker(result.repository), renderComment(result, pullRequest.baseBranch));
            log.info(`pull request #${pullRequest.number}: comment ${action}`);
        }
        catch (error) {
            const hint = (0,github_api/* refusedHint */.yv)(error, 'the token may not write to this pull request: a fork, or missing "pull-requests: write" permission');
            log.warning(`pull request comment not written: ${error.message}${hint}`);
        }
    });
}

;// CONCATENATED MODULE: ./src/cache/layer-map.ts
/** How many layers a stored map keeps: enough for many images' worth of history, still tiny. */
const storedLayerLimit = 256;
/**
 * The map to store after a push: this run's layers first, then what the store held, newest
 * first and bounded. Undefined when it would not change, so unchanged builds write nothing.
 */
function nextLayerMap(artifact, stored) {
    const images = artifact.kind === 'index' ? artifact.images : [artifact];
    const records = new Map();
    for (const image of images) {
        for (const layer of image.layers) {
            if (!layer.built || records.has(layer.built.diffId))
                continue;
            records.set(layer.built.diffId, {
                diffId: layer.built.diffId,
                digest: layer.descriptor.digest,
                size: layer.descriptor.size,
                mediaType: layer.descriptor.mediaType,
                compressor: layer.built.compressor
            });
        }
    }
    const known = new Set(stored.map(r => `${r.diffId} ${r.digest}`));
    if ([...records.values()].every(r => known.has(`${r.diffId} ${r.digest}`)))
        return undefined;
    for (const record of stored)
        if (!records.has(record.diffId))
            records.set(record.diffId, record);
    return [...records.values()].slice(0, storedLayerLimit);
}

;// CONCATENATED MODULE: ./src/pipeline/reuse.ts





/**
 * The diffID → blob map of previous images of the same repository (e.g. the parent commit's):
 * each config's `diff_ids` paired with its manifest's layers, counted from the end, where our
 * layers are, and kept only for layers whose history names the compressor settings.
 */
async function previousLayers(client, repo, tags, 
/** Why an image was not usable, for the debug log of the reuse stage. */
notes) {
    const map = new Map();
    // Read at once; the map is filled in the tags' order (the newest commit's first).
    const remotes = tags.map(tag => readRemote(client, repo, tag).then(remote => ({ remote }), (error) => ({ error })));
    for (const [i, tag] of tags.entries()) {
        const read = await remotes[i];
        try {
            if ('error' in read)
                throw read.error;
            const { remote } = read;
            for (const image of remote?.images ?? []) {
                const { manifest, config } = image;
                const history = (config.history ?? []).filter(h => !h.empty_layer);
                const diffIds = config.rootfs?.diff_ids ?? [];
                if (diffIds.length !== manifest.layers.length)
                    continue;
                for (let k = 1; k <= Math.min(history.length, manifest.layers.length); k++) {
                    const entry = history[history.length - k];
                    const comment = entry.comment ?? '';
                    if (!comment.startsWith('imprint, '))
                        continue;
                    const diffId = diffIds[diffIds.length - k];
                    if (!map.has(diffId)) {
                        map.set(diffId, {
                            descriptor: manifest.layers[manifest.layers.length - k],
                            compressor: comment.slice('imprint, '.length),
                            from: `${repo}:${tag}`,
                            madeFrom: entry.created_by
                        });
                    }
                }
            }
        }
        catch (error) {
            notes.push(`previous image ${repo}:${tag} not usable for layer reuse: ${error.message}`);
        }
    }
    return map;
}
/**
 * Starts reading the images of earlier commits (nothing is logged): the tags that name a commit,
 * rendered for the previous commits. Where a tag also names the base's digest, they are known only
 * once the base is resolved, and reading starts then.
 */
function readPreviousImages(inputs, context, registries, base) {
    // Only a build that pushes can reuse pushed layers.
    if (!inputs.push || inputs.mergeDigests.length > 0)
        return undefined;
    // Only templates that name the commit tell which tag a previous commit's image has.
    const templates = inputs.tags.filter(t => /\{\{\s*(sha|short_sha)\s*\}\}/.test(t));
    if (!base && templates.some(t => /\{\{\s*base_digest\s*\}\}/.test(t)))
        return undefined;
    const tags = context.previousCommits.flatMap(sha => {
        try {
            // Earlier commits' images on the same base, where a template names it.
            return renderTags(templates, { ...context, sha }, { baseDigest: base?.digest }).tags;
        }
        catch {
            return [];
        }
    });
    const notes = [];
    const layers = tags.length > 0
        ? previousLayers(registries.client(inputs.image.registry), inputs.image, tags, notes)
        : Promise.resolve(new Map());
    return { tags, layers, notes };
}
/**
 * A lookup for the layer stage: a hit must come from the same compressor settings and media type
 * (so the blob is what a full build would write), still exist with the recorded digest and size,
 * and decompress to the diffID (so a wrong entry cannot slip through). Anything else is a miss,
 * and the layer is built in full.
 *
 * Checking a blob means downloading and decompressing it, as long as hashing the layer takes. So
 * `expect` starts the check of the previous image's layer made from the same line while the layer
 * is hashed (this thread mostly waits for the file reader then), and `lookup` of that diffID waits
 * for the check already under way. A layer that did change stops its check once it is hashed: it
 * wasted part of one decompression.
 */
function reuseLookup(client, repo, map, written, log) {
    const checks = new Map();
    const check = (diffId) => {
        let started = checks.get(diffId);
        if (!started) {
            let cancelled = false;
            let wanted = false;
            let most;
            started = {
                result: checkCandidate(client, repo, map, written, log, diffId, {
                    cancelled: () => cancelled,
                    most: () => most
                }),
                join: size => {
                    wanted = true;
                    most = size ?? most;
                },
                cancel: () => {
                    if (wanted)
                        return;
                    cancelled = true;
                    // A later lookup starts afresh (a check of its own, not this stopped one).
                    if (checks.get(diffId) === started)
                        checks.delete(diffId);
                }
            };
            checks.set(diffId, started);
        }
        return started;
    };
    return {
        lookup: (diffId, size) => {
            const started = check(diffId);
            started.join(size);
            return started.result;
        },
        expect(source, destination) {
            const madeFrom = `imprint: ${source} → ${destination}`;
            for (const [diffId, candidate] of map)
                if (candidate.madeFrom === madeFrom &&
                    candidate.compressor === written.compressor &&
                    candidate.descriptor.mediaType === written.mediaType) {
                    const started = check(diffId);
                    // The layer changed (or could not be hashed): its old blob is not read to the end.
                    return actual => {
                        if (actual !== diffId)
                            started.cancel();
                    };
                }
            return () => { };
        }
    };
}
/** Whether the blob recorded for `diffId` may be reused: see `reuseLookup`. */
async function checkCandidate(client, repo, map, written, log, diffId, bounds = {}) {
    const cancelled = bounds.cancelled ?? (() => false);
    const { compressor, mediaType } = written;
    const candidate = map.get(diffId);
    if (!candidate)
        return undefined;
    const { descriptor } = candidate;
    if (candidate.compressor !== compressor ||
        descriptor.mediaType !== mediaType) {
        log.info(`${diffId.slice(0, 19)}: ${candidate.from} wrote it with ${candidate.compressor} as ${descriptor.mediaType}, not ${compressor} as ${mediaType}; building`);
        return undefined;
    }
    try {
        const hash = (0,external_node_crypto_.createHash)('sha256');
        let size = 0;
        async function* counted(source) {
            for await (const chunk of source) {
                if (cancelled())
                    throw new Error('no longer needed');
                hash.update(chunk);
                size += chunk.length;
                if (size > descriptor.size)
                    throw new Error(`the registry serves more than ${descriptor.size} bytes`);
                yield chunk;
            }
        }
        // Lent chunks: each is hashed and decompressed before the next is read into its memory.
        const actual = await diffIdOfBlob(counted(await client.getBlob(repo, descriptor.digest, { lent: true })), descriptor.mediaType, bounds);
        const digest = `sha256:${hash.digest('hex')}`;
        if (digest !== descriptor.digest || size !== descriptor.size) {
            log.warning(`${candidate.from} records ${descriptor.digest} (${descriptor.size} bytes), but the registry served ${digest} (${size} bytes); building the layer instead`);
            return undefined;
        }
        if (actual !== diffId) {
            log.warning(`${candidate.from} pairs ${descriptor.digest} with diffID ${diffId}, but it decompresses to ${actual}; building the layer instead`);
            return undefined;
        }
    }
    catch (error) {
        if (cancelled())
            return undefined;
        log.info(`${descriptor.digest} from ${candidate.from} cannot be reused (${error.message}); building`);
        return undefined;
    }
    return {
        descriptor: {
            mediaType: descriptor.mediaType,
            digest: descriptor.digest,
            size: descriptor.size
        },
        origin: repo,
        open: offset => client.getBlob(repo, descriptor.digest, { offset }),
        built: {
            diffId,
            uncompressedSize: 0,
            source: '',
            destination: '',
            compressor,
            reusedFrom: candidate.from
        }
    };
}
/**
 * Layers unchanged since a previous image are not compressed again: their tar is hashed and the
 * previous blob reused, after checking it. The map comes from previous commits' images (the push's
 * previous head, the PR base, parents) and, second, from a stored map (the Actions cache), which
 * also knows layers of images whose tags do not name the commit.
 */
async function layerReuse(inputs, context, base, registries, store, log, 
/** The reading `readPreviousImages` began before the base was resolved, if it could. */
previous) {
    const reading = previous ?? readPreviousImages(inputs, context, registries, base);
    if (!reading)
        return undefined;
    return log.group('Layer reuse', () => findReusableLayers(inputs, reading, registries, store, log));
}
async function findReusableLayers(inputs, previous, registries, store, log) {
    const client = registries.client(inputs.image.registry);
    const [map, stored] = await Promise.all([
        previous.layers,
        store ? loadStored(store, inputs.image, log) : []
    ]);
    for (const note of previous.notes)
        log.debug(note);
    const { tags } = previous;
    const fromImages = map.size;
    for (const record of stored) {
        if (!map.has(record.diffId)) {
            map.set(record.diffId, {
                descriptor: {
                    mediaType: record.mediaType,
                    digest: record.digest,
                    size: record.size
                },
                compressor: record.compressor,
                from: store.name
            });
        }
    }
    if (map.size === 0) {
        log.info('no earlier image of this repository is known: every layer is built');
        return { stored };
    }
    const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
    log.info(`${plural(fromImages, 'layer')} known from ${plural(tags.length, 'earlier image')} (tagged with earlier commits)` +
        (store ? `, ${map.size - fromImages} more from ${store.name}` : ''));
    return {
        ...reuseLookup(client, inputs.image, map, {
            compressor: compressorId(inputs.compression),
            mediaType: layerMediaType(inputs.compression)
        }, log),
        stored
    };
}
async function loadStored(store, repository, log) {
    try {
        return await store.load(repository);
    }
    catch (error) {
        log.warning(`${store.name}: layer map not read (${error.message}); layers without a previous image are built in full`);
        return [];
    }
}
/** Stores the new map; a failure only costs the next build its shortcut, so it is a warning. */
async function rememberLayers(store, repository, artifact, stored, log) {
    const next = nextLayerMap(artifact, stored);
    if (!next) {
        log.info(`${store.name}: layer map unchanged, not saved again`);
        return;
    }
    try {
        if (await store.save(repository, next))
            log.info(`${store.name}: layer map saved (${next.length} layers)`);
    }
    catch (error) {
        log.warning(`${store.name}: layer map not saved (${error.message})`);
    }
}

;// CONCATENATED MODULE: ./src/oci/verified-blob.ts

/**
 * A blob's bytes as they stream, checked against its descriptor: more bytes than its size fail
 * at once, another size or digest at the end.
 */
function verifiedBlob(source, descriptor) {
    const iterator = source[Symbol.asyncIterator]();
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let size = 0;
    let ended = false;
    const pull = async () => {
        const next = await iterator.next();
        if (next.done) {
            ended = true;
            const digest = `sha256:${hash.digest('hex')}`;
            if (size !== descriptor.size || digest !== descriptor.digest)
                throw new Error(`its content (${size} bytes, ${digest}) is not what its descriptor says (${descriptor.size} bytes, ${descriptor.digest})`);
            return undefined;
        }
        const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        size += chunk.length;
        if (size > descriptor.size) {
            ended = true;
            await iterator.return?.();
            throw new Error(`it is larger than the ${descriptor.size} bytes its descriptor says`);
        }
        hash.update(chunk);
        return chunk;
    };
    return {
        chunks: (async function* () {
            for (;;) {
                const chunk = await pull();
                if (!chunk)
                    return;
                yield chunk;
            }
        })(),
        async rest() {
            while (!ended)
                await pull();
        },
        async close() {
            if (!ended)
                await iterator.return?.();
            ended = true;
        }
    };
}

// EXTERNAL MODULE: ./src/sbom/index.ts + 16 modules
var sbom = __nccwpck_require__(56486);
// EXTERNAL MODULE: ./src/registry/http.ts + 3 modules
var http = __nccwpck_require__(18669);
// EXTERNAL MODULE: ./src/sign/bundle-referrer.ts
var bundle_referrer = __nccwpck_require__(45813);
// EXTERNAL MODULE: ./src/sign/legacy-sig.ts
var legacy_sig = __nccwpck_require__(13110);
// EXTERNAL MODULE: ./src/sign/payload.ts
var payload = __nccwpck_require__(5911);
;// CONCATENATED MODULE: ./src/sign/attached-sbom.ts




/** Predicate types of SBOM attestations (cosign's spdxjson and cyclonedx, and versioned SPDX). */
const sbomPredicate = /^https:\/\/(spdx\.dev\/Document|cyclonedx\.org\/bom)/;
/**
 * The predicate type of the SBOM statement a DSSE envelope carries about `digest`: an in-toto
 * statement (payload type and `_type`), an SBOM predicate type, `digest` among its subjects.
 * Undefined for anything else. Nothing here says who signed it.
 */
function sbomStatementAbout(envelope, digest) {
    const e = envelope;
    if (e?.payloadType !== payload/* inTotoPayloadType */.OY || typeof e.payload !== 'string')
        return undefined;
    let statement;
    try {
        statement = JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8'));
    }
    catch {
        return undefined;
    }
    const hex = digest.slice('sha256:'.length);
    const about = Array.isArray(statement?.subject) &&
        statement.subject.some((s) => s?.digest?.sha256 === hex);
    return typeof statement?._type === 'string' &&
        statement._type.startsWith('https://in-toto.io/Statement/') &&
        typeof statement.predicateType === 'string' &&
        sbomPredicate.test(statement.predicateType) &&
        about
        ? statement.predicateType
        : undefined;
}
/**
 * An SBOM attestation the image already carries (a base image's, Chainguard's for one): a bundle
 * referrer, or a layer of its `.att` tag, whose DSSE envelope holds an in-toto SBOM statement
 * about `digest` (an annotation naming an SBOM type is not enough). Referenced by the digest of
 * the manifest that holds it; its signature is the base publisher's to verify, so it is extra
 * information, never a replacement for reading the base's layers.
 */
async function findAttachedSbom(client, repo, digest) {
    for (const referrer of await (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, digest)) {
        if (referrer.manifest.layers[0]?.mediaType !== bundle_referrer/* bundleMediaType */.l5)
            continue;
        const predicateType = sbomStatementAbout(referrer.bundle?.dsseEnvelope, digest);
        if (predicateType)
            return {
                url: `oci://${repo}@${referrer.descriptor.digest}`,
                sha256: referrer.descriptor.digest.slice('sha256:'.length),
                predicateType
            };
    }
    const found = await client.findManifest(repo, (0,legacy_sig/* legacyTag */.w_)(digest, 'att'));
    if (!found)
        return undefined;
    const manifest = JSON.parse(found.bytes.toString('utf8'));
    for (const layer of manifest.layers ?? []) {
        if (layer.mediaType !== legacy_sig/* dsseEnvelopeMediaType */.GQ ||
            !sbomPredicate.test(layer.annotations?.[legacy_sig/* predicateTypeAnnotation */.Ti] ?? ''))
            continue;
        const bytes = await client.getBlobBytes(repo, layer.digest, http/* sizeLimits */.gX.attestation);
        let envelope;
        try {
            envelope = JSON.parse(bytes.toString('utf8'));
        }
        catch {
            continue;
        }
        const predicateType = sbomStatementAbout(envelope, digest);
        if (predicateType)
            return {
                url: `oci://${repo}@${found.digest}`,
                sha256: found.digest.slice('sha256:'.length),
                predicateType
            };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/version.ts

/** This build of Imprint, as package.json names it (tool of SBOMs and provenance). */
const version = package_namespaceObject.rE;

;// CONCATENATED MODULE: ./src/pipeline/sbom.ts








/** How many of the other warnings one SBOM puts in the log as warnings (all go to the debug log). */
const warningsShown = 5;
/**
 * The SBOM stage. It starts as soon as the base is resolved, and only when the run will sign:
 * each base platform's layers are read as streams, alongside the build, keeping only what the
 * catalogers read, and its own SBOM attestation, when it carries one (Chainguard's bases do), is
 * looked for, to be referenced by digest as well. Once the image is assembled, its own layers are
 * catalogued from the files they were made of.
 */
class SbomStage {
    base;
    log;
    bases = new Map();
    constructor(base, log) {
        this.base = base;
        this.log = log;
    }
    static start(inputs, willSign, base, registries, log) {
        if (!inputs.sbom || !willSign || !inputs.push || inputs.mergeDigests.length)
            return undefined;
        const stage = new SbomStage(base, log);
        const scanned = new Map();
        // Base layers are large; two at a time keep the network busy without starving the build.
        const slot = (0,pool/* limiter */.T)(2);
        // What all base layers may keep, together: their package databases and executables' parts.
        const budget = new sbom/* ScanBudget */.Vs();
        for (const platform of base.platforms) {
            const key = (0,oci_platform/* formatPlatform */.Bq)(platform.platform);
            const contents = (async () => {
                // The base's own SBOM attestation, when it has one, is referenced too: extra information,
                // never instead of its layers (scanners do not follow a document's references).
                const reference = base.reference;
                const attached = reference && platform.digest
                    ? findAttachedSbom(registries.client(reference.repository.registry), reference.repository, platform.digest).catch(error => {
                        log.debug(`${base.name} (${key}): its own SBOM was not looked up: ${error.message}`);
                        return undefined;
                    })
                    : undefined;
                const diffIds = platform.config.rootfs.diff_ids;
                const layers = platform.layers.map((layer, i) => {
                    const digest = layer.descriptor.digest;
                    let scan = scanned.get(digest);
                    if (!scan) {
                        // Located by diffID, like the built layers.
                        scan = slot(() => scanBaseLayer(layer, diffIds[i] ?? digest, budget));
                        scanned.set(digest, scan);
                    }
                    return scan;
                });
                const [found, sbom] = await Promise.all([Promise.all(layers), attached]);
                if (sbom)
                    log.debug(`${base.name} (${key}) carries its own SBOM: ${sbom.url}`);
                return { layers: found, ...(sbom ? { attached: sbom } : {}) };
            })();
            // A failure is reported when the SBOM is made, not as an unhandled rejection now.
            contents.catch(() => { });
            stage.bases.set(key, contents);
        }
        return stage;
    }
    /**
     * The SBOM of each image of `artifact` (made while the image is pushed; logged by `report`): the
     * base's packages (and a reference to its own SBOM) and those of the layers this run built, from
     * `contents` (each built layer's entries, by diffID).
     */
    async make(artifact, repository, contents, created, tempDir) {
        const images = artifact.kind === 'image' ? [artifact] : artifact.images;
        const sboms = [];
        for (const image of images)
            sboms.push(await this.forImage(image, repository, contents, created, tempDir));
        return sboms;
    }
    /**
     * Says what each SBOM holds and where it was written, in its own log group, with a warning for
     * each base layer that could not be read and a few of the files that could not. An SBOM that
     * could not be made at all is a warning too: the image is signed and deployed without it.
     */
    async report(sboms) {
        return this.log.group('SBOM', async () => {
            let made;
            try {
                made = await sboms;
            }
            catch (error) {
                this.log.warning(`SBOM not made, the image is signed without one: ${error.message}`);
                return [];
            }
            for (const sbom of made) {
                this.log.info(sbom.summary);
                for (const { digest, reason } of sbom.unread)
                    this.log.warning(`SBOM of ${sbom.platform}: base layer ${digest} could not be read, its packages are not listed: ${reason}`);
                const files = sbom.warnings;
                for (const warning of files)
                    this.log.debug(`SBOM: ${warning}`);
                if (files.length)
                    this.log.warning(`SBOM of ${sbom.platform}: ${files.length} file${files.length > 1 ? 's' : ''} not read, their packages may be missing: ${files.slice(0, warningsShown).join('; ')}${files.length > warningsShown ? '; … (all in the debug log)' : ''}`);
            }
            return made;
        });
    }
    async forImage(image, repository, contents, created, tempDir) {
        const platform = (0,oci_platform/* formatPlatform */.Bq)(image.platform);
        const base = (await this.bases.get(platform)) ?? { layers: [] };
        const warnings = new Set();
        const unread = [];
        const views = [];
        for (const layer of base.layers) {
            for (const warning of layer.warnings)
                warnings.add(warning);
            if (layer.scan) {
                views.push({
                    ...layer.scan,
                    files: new Map([...layer.scan.kept].map(([path, file]) => [path, (0,sbom/* keptSource */.G6)(file)]))
                });
            }
            else {
                const { digest, diffId, failure = '' } = layer;
                unread.push({ digest, diffId, reason: failure });
            }
        }
        // The built layers over the base, merged the same way (a file or link hides what is below).
        for (const layer of image.layers) {
            if (!layer.built)
                continue;
            const diffId = layer.built.diffId;
            views.push(builtView(contents.get(diffId) ?? [], diffId, m => warnings.add(m)));
        }
        const { packages, distro } = await (0,sbom/* catalog */.U$)((0,sbom/* mergeViews */.Nt)(views), {
            warn: message => warnings.add(message)
        });
        // The CycloneDX library, loaded by the runs that make an SBOM, when they make it.
        const { sbomStatement } = await Promise.all(/* import() */[__nccwpck_require__.e(761), __nccwpck_require__.e(268)]).then(__nccwpck_require__.bind(__nccwpck_require__, 85268));
        const { statement, json } = sbomStatement({
            image: { name: String(repository), digest: image.digest },
            packages,
            created: new Date(created * 1000),
            distro,
            ...(this.base.name && this.base.reference
                ? {
                    base: {
                        name: String(this.base.reference.repository),
                        digest: image.manifest.annotations?.['org.opencontainers.image.base.digest'] ??
                            this.base.digest ??
                            '',
                        ...(base.attached ? { sbom: base.attached } : {})
                    }
                }
                : {}),
            tool: { name: 'imprint', version: version },
            ...(unread.length ? { unreadLayers: unread.map(u => u.diffId) } : {})
        });
        const path = (0,external_node_path_.join)(tempDir, `imprint-sbom-${image.digest.slice(7, 19)}.cdx.json`);
        await (0,promises_.writeFile)(path, JSON.stringify(statement.predicate));
        return {
            image: image.digest,
            platform,
            statement: Buffer.from(json),
            path,
            packages: packages.length,
            summary: `${platform}: ${packages.length} packages${base.attached ? ` (the base's own SBOM also referenced: ${base.attached.url})` : ''}${unread.length ? ` (${unread.length} base layer${unread.length > 1 ? 's' : ''} could not be read)` : ''}; ${path}`,
            unread,
            warnings: [...warnings]
        };
    }
}
/** A layer this run built, as a view of the files catalogers read (it has no whiteouts). */
function builtView(entries, layer, warn) {
    return {
        paths: new Set(entries.map(e => e.path)),
        nonDirectories: new Set(entries.filter(e => e.type !== 'dir').map(e => e.path)),
        whiteouts: [],
        opaque: [],
        files: new Map(entriesAsSources(entries, layer, warn).map(source => [
            source.path,
            source
        ]))
    };
}
/**
 * A built layer's files as cataloger sources, read from the files the layer was made of, with the
 * scanner's bounds: a file read whole over the limit is skipped (and said so), executables are
 * streamed.
 */
function entriesAsSources(entries, layer, warn) {
    const sources = [];
    for (const entry of entries) {
        if (entry.type !== 'file')
            continue;
        const mode = (0,sbom/* readMode */.Em)(entry.path, entry.mode);
        if (!mode)
            continue;
        if (mode === 'whole' && entry.size > sbom/* defaultMaxFileSize */.f) {
            warn(`${layer}: ${entry.path}: ${entry.size} bytes is over the ${sbom/* defaultMaxFileSize */.f}-byte limit, not read`);
            continue;
        }
        sources.push((0,sbom/* diskSource */.jx)({
            diskPath: entry.source,
            path: entry.path,
            size: entry.size,
            mode: entry.mode,
            layer
        }));
    }
    return sources;
}
/**
 * One base layer, streamed from its registry, checked against its digest and scanned; nothing of
 * it is kept but what catalogers read. A layer that cannot be read (not a tar, not what its
 * digest says, a network failure) is not an error: the SBOM is made without its packages.
 */
async function scanBaseLayer(layer, diffId, budget) {
    const digest = layer.descriptor.digest;
    const warnings = [];
    let blob;
    try {
        blob = verifiedBlob((await layer.open(0)), layer.descriptor);
        const scan = await (0,sbom/* scanLayer */.h4)(blob.chunks, diffId, {
            budget,
            warn: message => warnings.push(message)
        });
        // What the scan did not need (after the archive's end) is read too: the digest covers it.
        await blob.rest();
        return { digest, diffId, scan, warnings };
    }
    catch (error) {
        await blob?.close();
        const message = error.message;
        return {
            digest,
            diffId,
            failure: message.startsWith(`${diffId}: `)
                ? message.slice(diffId.length + 2)
                : message,
            warnings
        };
    }
}

;// CONCATENATED MODULE: ./src/pipeline/sign.ts
/**
 * How this run signs: `sign` as the inputs resolved it, except that `auto` does not sign keyless
 * on a private repository (the public Rekor log would record its name and workflow). Said once.
 */
function signingMode(inputs, context, log) {
    if (inputs.sign !== 'keyless' || !context.privateRepository)
        return inputs.sign;
    if (inputs.signAuto) {
        log?.info('not signed: this repository is private, and keyless signing would write its name and workflow into the public Rekor log; set signing-key, or sign: keyless to accept that');
        return 'none';
    }
    log?.warning('sign: keyless on a private repository: the public Rekor log will show this repository, its workflow and the image digest');
    return 'keyless';
}
/**
 * The sign stage: with a key or keyless, only an image that was pushed, in every repository it
 * went to (verifiers look beside the image they pull): the signature in both cosign formats,
 * signed provenance on the top-level digest, and each platform image's SBOM. An unsigned push says
 * how to sign.
 */
async function sign(artifact, base, inputs, options) {
    const { log } = options;
    const mode = signingMode(inputs, options.context, log);
    const signer = mode === 'keyless'
        ? 'keyless'
        : mode === 'key'
            ? inputs.signingKey
            : undefined;
    if (!options.pushed) {
        if (signer)
            log.warning('nothing was pushed, so nothing was signed');
        return [];
    }
    if (!signer) {
        if (inputs.sign === 'none')
            log.info('not signed: set signing-key, or give the job "id-token: write" for keyless signing');
        return [];
    }
    // What writes signatures (their formats, sigstore-js) is loaded only by a run that signs.
    const { writeSignatures } = await Promise.all(/* import() */[__nccwpck_require__.e(187), __nccwpck_require__.e(132), __nccwpck_require__.e(647)]).then(__nccwpck_require__.bind(__nccwpck_require__, 92647));
    return writeSignatures(artifact, base, inputs, signer, options);
}

;// CONCATENATED MODULE: ./src/pipeline/run.ts






















/**
 * The whole run, stage by stage: context → base → checks → (reuse → layers → assemble, or merge)
 * → compare → push → sign → manifests → report. The action and the command line are two front
 * ends of this function; each stage opens its own log group and takes its slice of the inputs.
 * Work that depends on nothing before it starts early and is told in its stage's turn: the
 * sources are listed from the start, the base is read while git answers, the previous commits'
 * images while the base is.
 */
async function runPipeline(inputs, deps) {
    const { log, env } = deps;
    for (const notice of inputs.notices)
        (log.notice ?? log.info)(notice);
    const jobs = deps.jobs ?? 4;
    const git = new Git(env);
    const workingDirectory = (0,external_node_path_.resolve)(deps.workspace, inputs.workingDirectory);
    const isDirectory = await (0,promises_.stat)(workingDirectory).then(info => info.isDirectory(), () => false);
    if (!isDirectory)
        throw new errors/* InputError */.dz('working-directory', `"${inputs.workingDirectory}" is not a directory (looked for ${workingDirectory})`);
    const merging = inputs.mergeDigests.length > 0;
    // The sources are listed from now on, beside the git and registry questions below, and the
    // thread that reads many small files starts meanwhile.
    if (!merging)
        warmReader();
    const listing = merging
        ? undefined
        : new SourceListing({
            workingDirectory,
            exclude: inputs.exclude,
            ownDestination: inputs.layerOwner.uid !== 0 || inputs.layerOwner.gid !== 0,
            // The layout is written while the sources are listed: never into a layer.
            skip: inputs.ociLayout
                ? [(0,external_node_path_.resolve)(deps.workspace, inputs.ociLayout)]
                : []
        }).startEarly(inputs.layers);
    let opened;
    let early;
    let saving;
    let scratchDir;
    try {
        // A keyless trusted root that sigstore-js refuses is an input error: told before anything else.
        const trustedRoot = await (0,src_inputs/* keylessTrustMaterial */.Mp)(inputs);
        // The registry clients need of the context only the actor (GitHub's token for ghcr.io is
        // tied to it), which the environment says: the base is asked for while git is.
        const registries = registriesFor(inputs, { actor: env.GITHUB_ACTOR }, { ...deps, env });
        const resolvingBase = merging
            ? undefined
            : startResolvingBase(inputs, registries);
        const context = await contextStage(env, git, { workspace: deps.workspace, workingDirectory, tempDir: deps.tempDir }, inputs.sourceDateEpoch, log);
        // The previous commits' images are read while the base is (unless their tags name it).
        const previousImages = readPreviousImages(inputs, context, registries);
        const base = merging
            ? { name: '', platforms: [] }
            : await baseStage(inputs, context, registries, log, resolvingBase);
        // The fan-out half of a matrix build writes no tag: the merge job tags the index.
        const tags = inputs.pushByDigest ? [] : tagsFor(inputs, context, base, log);
        scratchDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(deps.tempDir, 'imprint-'));
        const imageOf = (artifact, push, mirrors) => imageResult({
            repository: inputs.image,
            repositories: inputs.images,
            mirrors,
            artifact,
            base: baseOf(base, artifact),
            tags,
            ...facts(context),
            ociLayout: inputs.ociLayout,
            push
        });
        // Everything a user can get wrong is checked before the first layer is compressed, so a bad
        // input costs no build time and leaves nothing pushed.
        const layoutDir = await layoutTarget(inputs, deps.workspace);
        const engine = await loadTarget(inputs, { env, log });
        opened = await openManifests(inputs, context, tags[0] ?? 'latest', git, log);
        early = await startEarlyUploads(inputs, tags, registries, jobs, log);
        const reuse = await layerReuse(inputs, context, base, registries, deps.layerMapStore, log, previousImages);
        // Base layers are read for the SBOM while the layers are built, when the run will sign.
        const sbom = SbomStage.start(inputs, signingMode(inputs, context) !== 'none', base, registries, log);
        const { artifact: built, contents } = merging
            ? {
                artifact: await mergeStage(inputs, registries, log),
                contents: new Map()
            }
            : await buildArtifact(inputs, context, base, {
                workingDirectory,
                scratchDir,
                jobs,
                reuse: reuse?.lookup,
                expectReuse: reuse?.expect,
                observer: early,
                followFrom: deps.followFrom,
                listing,
                log
            });
        deps.onAssembled?.(imageOf(built));
        const planFor = (artifact) => opened &&
            planManifestEdits(opened, inputs, {
                tag: tags[0] ?? artifact.digest.slice(7, 19),
                digest: artifact.digest
            }, log);
        let planned = await planFor(built);
        const comparison = await compareWithBaseBranch(inputs, context, registries, built, log);
        // The SBOM is made while the image is pushed; it is attached only to what this run built.
        const sbomsMade = sbom?.make(built, inputs.image, contents, context.sourceDateEpoch, deps.tempDir);
        sbomsMade?.catch(() => { });
        const { artifact, push, mirrors, pushSkipped, loaded } = await publish(built, tags, inputs, context, {
            registries,
            early,
            layoutDir,
            load: engine && { engine, tempDir: scratchDir },
            jobs,
            log
        });
        // A re-run after the base moved deploys the commit's existing image instead.
        if (artifact !== built)
            planned = await planFor(artifact);
        if (push) {
            deps.onPublished?.(imageOf(artifact, push, mirrors));
            // Saved while signing and manifests go on: the layers are in the registry now.
            if (deps.layerMapStore && reuse)
                saving = rememberLayers(deps.layerMapStore, inputs.image, artifact, reuse.stored, log);
        }
        // An existing image deployed again (the base moved) has its SBOM from the run that made it.
        const sboms = push && sbom && sbomsMade && artifact === built
            ? await sbom.report(sbomsMade)
            : [];
        const signatures = await sign(artifact, base, inputs, {
            pushed: push !== undefined,
            builtHere: artifact === built,
            repositories: inputs.images,
            registries,
            context,
            sboms: new Map(sboms.map(s => [s.image, s.statement])),
            trustedRoot,
            env,
            log
        });
        const deployed = planned &&
            (await updateManifests(planned, inputs, push !== undefined, context, git, log));
        const result = {
            ...imageOf(artifact, push, mirrors),
            signatures,
            sboms: sboms.map(({ platform, path, packages, unread }) => ({
                platform,
                path,
                packages,
                ...(unread.length ? { unreadLayers: unread.map(u => u.digest) } : {})
            })),
            deploy: deployed,
            comparison,
            pushSkipped,
            loaded
        };
        await report(result, inputs, context, log);
        return result;
    }
    finally {
        listing?.stop();
        early?.cancel();
        // A run that failed before its layers did not take the thread started for them.
        dropWarmReader();
        await early?.settled();
        await saving;
        await opened?.cleanup();
        if (scratchDir)
            await (0,promises_.rm)(scratchDir, { recursive: true, force: true });
    }
}
/**
 * The tags of this run, rendered once the base's digest is known (`{{base_digest}}`); templates
 * this event cannot fill are skipped, and said so.
 */
function tagsFor(inputs, context, base, log) {
    const { tags, skipped } = renderTags(inputs.tags, context, {
        baseDigest: base.digest
    });
    for (const line of skipped)
        (log.notice ?? log.info)(`tags: ${line}`);
    return tags;
}
/** The base an image was built on: this run's, or (an existing image) the one it records. */
function baseOf(base, artifact) {
    const recorded = (artifact.kind === 'image'
        ? artifact.manifest.annotations
        : artifact.index.annotations)?.[annotationKeys.baseDigest];
    return {
        name: base.name,
        digest: recorded && (0,oci_digest/* isDigest */.Bc)(recorded) ? recorded : base.digest
    };
}
/** What the result records of the run itself. */
function facts(context) {
    return {
        revision: context.sha,
        sourceDateEpoch: context.sourceDateEpoch,
        pullRequest: context.pr === undefined
            ? undefined
            : { number: context.pr, baseBranch: context.baseBranch }
    };
}


/***/ }),

/***/ 27481:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ repositoryScope),
/* harmony export */   kD: () => (/* binding */ Authenticator)
/* harmony export */ });
/* unused harmony export parseChallenge */
/* harmony import */ var _util_retry__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4266);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6764);
/* harmony import */ var _http__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(18669);



/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas). */
function parseChallenge(header) {
    const trimmed = header.trim();
    const space = trimmed.indexOf(' ');
    const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
    const params = {};
    const rest = space < 0 ? '' : trimmed.slice(space + 1);
    const pattern = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
    for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
        params[m[1].toLowerCase()] =
            m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    }
    return { scheme, params };
}
/** The scope string a token request asks for: `repository:acme/api:pull,push`. */
function repositoryScope(path, actions) {
    return `repository:${path}:${actions}`;
}
/**
 * The auth layer: learns the scheme from one `GET /v2/` (a failure is remembered, so an
 * unreachable registry fails every request at once instead of pinging again), sends Basic
 * credentials or per-scope bearer tokens to the registry's own origin, and answers a 401 of the
 * registry (never of a host it redirected to) once with fresh credentials.
 */
class Authenticator {
    send;
    options;
    scheme;
    challenge;
    credential;
    tokens = new Map();
    origin;
    constructor(send, options) {
        this.send = send;
        this.options = options;
        this.origin = new URL(options.baseUrl).origin;
    }
    transport = async (request) => {
        let res = await this.send({
            ...request,
            headers: await this.withAuthorization(request, false)
        });
        if (res.status !== 401)
            return res;
        if (new URL(res.url).origin !== this.origin) {
            // A storage host that wants its own credentials gets none of the registry's.
            await res.discard();
            throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .AuthenticationError */ .v3(this.options.registry.name, undefined, `${new URL(res.url).host}, where the registry redirected ${request.method} ${new URL(request.url).pathname}, asked for credentials; the registry's are not sent there`);
        }
        const header = res.headers.get('www-authenticate');
        await res.discard();
        if (header)
            this.challenge = parseChallenge(header);
        const scopes = [...request.scopes];
        const asked = this.challenge?.params.scope;
        if (asked && !scopes.includes(asked))
            scopes.push(asked);
        res = await this.send({
            ...request,
            headers: await this.withAuthorization({ ...request, scopes }, true)
        });
        if (res.status === 401) {
            const error = await (0,_errors__WEBPACK_IMPORTED_MODULE_1__/* .registryError */ .eo)(request.method, res);
            throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .AuthenticationError */ .v3(this.options.registry.name, (await this.getCredential())?.origin, error.message);
        }
        return res;
    };
    getCredential() {
        this.credential ??= this.options.keychain
            .resolve(this.options.registry)
            .then(credential => {
            // Every form a registry could echo back: the password, the token, the Basic header value.
            const { secret } = this.options.log;
            if (credential && secret) {
                for (const value of [
                    credential.password,
                    credential.identityToken,
                    basic(credential).slice('Basic '.length)
                ])
                    if (value)
                        secret(value);
            }
            return credential;
        });
        return this.credential;
    }
    async withAuthorization(request, refresh) {
        const headers = { ...request.headers };
        // Credentials go to the registry's own origin only, never to a host an upload Location names.
        if (new URL(request.url).origin !== this.origin)
            return headers;
        const authorization = await this.authorization(request.scopes, refresh);
        if (authorization)
            headers.authorization = authorization;
        return headers;
    }
    /**
     * Learns the registry's auth scheme from `GET /v2/` once per run. A registry that cannot be
     * reached at all is given up on for the run (every later request fails at once, without a
     * retry of its own); any other failure of the ping (a 503) is tried again by the next request.
     */
    authScheme() {
        this.scheme ??= this.ping().catch(error => {
            if (!(error instanceof _errors__WEBPACK_IMPORTED_MODULE_1__/* .RegistryUnreachable */ .ug))
                this.scheme = undefined;
            throw error;
        });
        return this.scheme;
    }
    async ping() {
        const url = `${this.options.baseUrl}/v2/`;
        const { retry, log, limits } = this.options;
        try {
            return await (0,_util_retry__WEBPACK_IMPORTED_MODULE_0__/* .withRetries */ .LH)(async () => {
                // A registry that answers at all answers a ping fast.
                const res = await this.send({
                    method: 'GET',
                    url,
                    limits: {
                        idleMs: Math.min(limits.idleMs, 10_000),
                        deadlineMs: Math.min(limits.deadlineMs, 20_000)
                    }
                });
                if (res.status === 401) {
                    await res.discard();
                    this.challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
                    return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic';
                }
                if (res.status < 300 || res.status === 404) {
                    await res.discard();
                    return 'none';
                }
                throw await (0,_errors__WEBPACK_IMPORTED_MODULE_1__/* .registryError */ .eo)('GET', res);
            }, 
            // Only for failures below HTTP, and briefly: the request's own retries handle statuses.
            { ...retry, attempts: Math.min(retry.attempts, 3) }, error => error instanceof _errors__WEBPACK_IMPORTED_MODULE_1__/* .NetworkError */ .Dr && error.temporary, (0,_util_retry__WEBPACK_IMPORTED_MODULE_0__/* .loggingRetries */ .mU)(log));
        }
        catch (error) {
            if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_1__/* .NetworkError */ .Dr)
                throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .RegistryUnreachable */ .ug(this.options.registry.name, error);
            throw error;
        }
    }
    async authorization(scopes, refresh) {
        const scheme = refresh && this.challenge
            ? this.challenge.scheme === 'bearer'
                ? 'bearer'
                : 'basic'
            : await this.authScheme();
        if (scheme === 'none' && !refresh)
            return undefined;
        const credential = await this.getCredential();
        if (scheme === 'basic') {
            if (!credential)
                return undefined;
            return basic(credential);
        }
        if (scheme === 'none')
            return undefined;
        const key = [...scopes].sort().join(' ');
        // Tokens expire together; a refresh drops them all, including the key the request began with.
        if (refresh)
            this.tokens.clear();
        let token = this.tokens.get(key);
        if (!token) {
            // Not retried here: a failed token fails the request, which its caller's retry repeats.
            token = this.fetchToken(scopes, credential);
            this.tokens.set(key, token);
            token.catch(() => this.tokens.delete(key));
        }
        return `Bearer ${await token}`;
    }
    /** Asks the realm of the registry's challenge for a token; the realm must be as secure as the registry. */
    async fetchToken(scopes, credential) {
        const params = this.challenge?.params ?? {};
        const registry = this.options.registry.name;
        if (!params.realm)
            throw new Error(`registry ${registry} sent a bearer challenge without a realm`);
        let realm;
        try {
            realm = new URL(params.realm);
        }
        catch {
            throw new Error(`registry ${registry} named an invalid token realm "${params.realm}"`);
        }
        if (realm.protocol !== 'https:' &&
            !(realm.protocol === 'http:' && this.origin.startsWith('http:'))) {
            throw new Error(`registry ${registry} named a token realm over ${realm.protocol} (${realm.origin}); refusing to send credentials there`);
        }
        const form = new URLSearchParams();
        if (params.service)
            form.set('service', params.service);
        for (const scope of scopes)
            form.append('scope', scope);
        let res;
        if (credential?.identityToken) {
            form.set('grant_type', 'refresh_token');
            form.set('refresh_token', credential.identityToken);
            form.set('client_id', 'imprint');
            res = await this.send({
                method: 'POST',
                url: realm.toString(),
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: () => form.toString()
            });
        }
        else {
            const url = new URL(realm);
            for (const [k, v] of form)
                url.searchParams.append(k, v);
            res = await this.send({
                method: 'GET',
                url: url.toString(),
                headers: credential ? { authorization: basic(credential) } : {}
            });
        }
        if (res.status === 401 || res.status === 403) {
            const error = await (0,_errors__WEBPACK_IMPORTED_MODULE_1__/* .registryError */ .eo)('GET', res);
            throw new _errors__WEBPACK_IMPORTED_MODULE_1__/* .AuthenticationError */ .v3(registry, credential?.origin, error.message);
        }
        if (res.status >= 300)
            throw await (0,_errors__WEBPACK_IMPORTED_MODULE_1__/* .registryError */ .eo)('GET', res);
        const text = (await res.bytes(_http__WEBPACK_IMPORTED_MODULE_2__/* .sizeLimits */ .gX.token, 'the token answer')).toString('utf8');
        let body;
        try {
            body = JSON.parse(text);
        }
        catch (error) {
            throw new Error(`the token service of ${registry} answered with something other than a token (${error.message})`);
        }
        const token = body.token ?? body.access_token;
        if (typeof token !== 'string' || token === '')
            throw new Error(`the token service of ${registry} answered without a token`);
        this.options.log.secret?.(token);
        return token;
    }
}
function basic(credential) {
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}


/***/ }),

/***/ 55342:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  b: () => (/* binding */ RegistryClient)
});

// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(68825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(29217);
// EXTERNAL MODULE: ./src/util/log.ts
var log = __nccwpck_require__(29906);
// EXTERNAL MODULE: ./src/util/retry.ts
var retry = __nccwpck_require__(4266);
// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(27481);
// EXTERNAL MODULE: ./src/registry/errors.ts
var errors = __nccwpck_require__(6764);
// EXTERNAL MODULE: ./src/registry/http.ts + 3 modules
var http = __nccwpck_require__(18669);
// EXTERNAL MODULE: ./src/registry/transport.ts
var transport = __nccwpck_require__(40670);
;// CONCATENATED MODULE: ./src/registry/uploads.ts


const defaultChunkThreshold = 64 * 1024 * 1024;
const defaultChunkSize = 32 * 1024 * 1024;
// Above the 5 MiB minimum chunk some registries (ECR, GCR) impose on all but the last chunk.
const defaultStreamChunkSize = 8 * 1024 * 1024;
/**
 * Makes sure `repo` has the blob: HEAD first, then a cross-repository mount when `mountFrom` is
 * on this registry, then an upload (monolithic, or chunked and resumable above the threshold).
 */
async function pushBlob(client, repo, digest, source, mountFrom) {
    const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
    if (mountFrom)
        scopes.push((0,auth/* repositoryScope */.F7)(mountFrom.path, 'pull'));
    let exists;
    try {
        exists = await client.blobExists(repo, digest, scopes);
    }
    catch (error) {
        // A token service may refuse pull on the mount source: push without mounting instead.
        if (mountFrom && error instanceof errors/* AuthenticationError */.v3)
            return pushBlob(client, repo, digest, source);
        throw error;
    }
    if (exists)
        return 'existing';
    const threshold = client.sizes.chunkThreshold ?? defaultChunkThreshold;
    return client.retrying(async () => {
        const started = await startUpload(client, repo, scopes, {
            digest,
            from: mountFrom
        });
        if (started === 'mounted')
            return 'mounted';
        if (source.size > threshold)
            await uploadChunks(client, started, {
                open: offset => source.open(offset),
                ready: async () => ({ available: source.size, digest })
            }, scopes, client.sizes.chunkSize ?? defaultChunkSize);
        else
            await uploadWhole(client, started, digest, source, scopes);
        return 'uploaded';
    });
}
/**
 * Uploads a blob while it is still being written, in chunks as they become available (so the
 * upload overlaps compression), resumable like any chunked upload; the digest comes last.
 */
async function pushGrowingBlob(client, repo, source) {
    const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
    return client.retrying(async () => {
        const location = await startUpload(client, repo, scopes);
        // The digest is known only once the blob is complete: a blob the repository has already is
        // found then, and the rest of the upload is dropped.
        const finished = await uploadChunks(client, location, source, scopes, client.sizes.streamChunkSize ?? defaultStreamChunkSize, 
        // Inside this operation's retry: the check is not retried on its own.
        digest => client.blobExists(repo, digest, scopes, false));
        if (finished.existing) {
            await client
                .request('DELETE', location, {
                scopes,
                ok: [204, 404],
                retries: false
            })
                .then(res => res.discard())
                .catch(error => client.log.debug(`upload session not cancelled: ${String(error)}`));
        }
        return {
            digest: finished.digest,
            outcome: finished.existing ? 'existing' : 'uploaded'
        };
    });
}
async function startUpload(client, repo, scopes, mount) {
    const path = `/v2/${repo.path}/blobs/uploads/`;
    const mountFrom = mount?.from;
    if (mount && mountFrom && !mountFrom.equals(repo)) {
        const digest = mount.digest;
        try {
            const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom.path)}`;
            const res = await client.request('POST', path + query, {
                scopes,
                ok: [201, 202],
                retries: false
            });
            await res.discard();
            if (res.status === 201)
                return 'mounted';
            return uploads_location(client, res);
        }
        catch (error) {
            // Registries answer failed mounts in many ways (Harbor: 401); an upload always works instead.
            client.log.debug(`mount of ${digest} from ${mountFrom} failed, uploading: ${String(error)}`);
        }
    }
    const res = await client.request('POST', path, {
        scopes,
        ok: [202],
        retries: false
    });
    await res.discard();
    return uploads_location(client, res);
}
async function uploadWhole(client, at, digest, source, scopes) {
    const url = new URL(at);
    url.searchParams.set('digest', digest);
    const res = await client.request('PUT', url.toString(), {
        headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(source.size)
        },
        body: () => source.open(0),
        scopes,
        ok: [201],
        retries: false,
        blob: true
    });
    await res.discard();
    checkDigest(res, digest);
}
async function uploadChunks(client, at, source, scopes, chunkSize, present) {
    let url = at;
    let offset = 0;
    let resumes = 0;
    let digest;
    let checked = false;
    for (;;) {
        const ready = await source.ready(offset + chunkSize);
        digest = ready.digest;
        if (digest && present && !checked) {
            checked = true;
            if (await present(digest))
                return { digest, existing: true };
        }
        if (offset >= ready.available) {
            if (digest)
                break;
            continue;
        }
        const end = Math.min(offset + chunkSize, ready.available) - 1;
        const start = offset;
        try {
            const res = await client.request('PATCH', url, {
                headers: {
                    'content-type': 'application/octet-stream',
                    'content-length': String(end - start + 1),
                    'content-range': `${start}-${end}`
                },
                body: async () => limit(await source.open(start, end - start + 1), end - start + 1),
                scopes,
                ok: [202],
                retries: false,
                blob: true
            });
            await res.discard();
            url = uploads_location(client, res);
            offset = end + 1;
        }
        catch (error) {
            if (!(error instanceof errors/* NetworkError */.Dr ||
                (error instanceof errors/* RegistryError */.gl && error.temporary)) ||
                resumes >= 3) {
                throw error;
            }
            resumes++;
            // Ask the registry how much it kept; anything but a clear answer restarts from POST.
            let status;
            try {
                status = await client.request('GET', url, {
                    scopes,
                    ok: [204],
                    retries: false
                });
                await status.discard();
            }
            catch (statusError) {
                throw new errors/* UploadRestart */.z6(digest ?? 'a blob being written', statusError);
            }
            url = uploads_location(client, status);
            const range = /^(?:bytes=)?0-(\d+)$/.exec(status.headers.get('range') ?? '');
            // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
            if (!range || Number(range[1]) === 0)
                throw new errors/* UploadRestart */.z6(digest ?? 'a blob being written', error);
            offset = Number(range[1]) + 1;
            client.log.info(`resuming upload of ${digest ?? 'a blob being written'} at byte ${offset} after: ${String(error)}`);
        }
    }
    const done = new URL(url);
    done.searchParams.set('digest', digest);
    let res;
    try {
        // An empty body, sent: the registry assembles and checks the blob now, which may take long.
        res = await client.request('PUT', done.toString(), {
            headers: { 'content-length': '0' },
            body: () => Buffer.alloc(0),
            scopes,
            ok: [201],
            retries: false,
            blob: true
        });
        await res.discard();
    }
    catch (error) {
        // Chunks the registry assembled differently from ours: start over rather than give up.
        if (error instanceof errors/* RegistryError */.gl &&
            (error.status === 416 || error.codes.includes('DIGEST_INVALID'))) {
            throw new errors/* UploadRestart */.z6(digest, error);
        }
        throw error;
    }
    checkDigest(res, digest);
    return { digest, existing: false };
}
/** The upload session's next URL; never a downgrade from https. */
function uploads_location(client, res) {
    const value = res.headers.get('location');
    if (!value)
        throw new Error(`${client.registry}: upload response without a Location header`);
    const url = new URL(value, client.baseUrl);
    if (client.baseUrl.startsWith('https:') && url.protocol !== 'https:') {
        throw new Error(`${client.registry} sent an upload location over plain ${url.protocol}; refusing to downgrade from https`);
    }
    return url.toString();
}
async function* limit(source, bytes) {
    let remaining = bytes;
    for await (const chunk of source) {
        if (remaining <= 0)
            break;
        const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        remaining -= piece.length;
        yield piece;
    }
}
/** The registry's `Docker-Content-Digest`, when it sends one, must be the digest of our bytes. */
function checkDigest(res, expected) {
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== expected) {
        throw new Error(`${(0,errors/* redact */.E$)(res.url)}: the registry stored ${reported}, but the content is ${expected}`);
    }
}

;// CONCATENATED MODULE: ./src/registry/client.ts









/**
 * What Imprint does with one registry's distribution API, over a transport that handles auth,
 * retries and bounds: read blobs, manifests, tags and referrers, write manifests, and push blobs
 * (`uploads.ts`). Every digest the registry reports is checked against ours.
 */
class RegistryClient {
    registry;
    baseUrl;
    log;
    /** How blobs are cut into chunks: for `uploads.ts`. */
    sizes;
    retry;
    transport;
    constructor(registry, options) {
        this.registry = registry;
        ;
        ({ baseUrl: this.baseUrl, transport: this.transport } = (0,transport/* registryTransport */.H)(registry, options));
        this.retry = options.retry ?? retry/* defaultRetryPolicy */.ur;
        this.log = options.log ?? log/* silentLogger */.q;
        this.sizes = {
            chunkThreshold: options.chunkThreshold,
            chunkSize: options.chunkSize,
            streamChunkSize: options.streamChunkSize
        };
    }
    /** Sends one request to a path of this registry or a URL it gave (an upload location). */
    request(method, pathOrUrl, options) {
        const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl;
        return this.transport({ method, url, ...options });
    }
    /** Retries an operation of several requests (a read with its body) as a whole. */
    retrying(operation) {
        return (0,retry/* withRetries */.LH)(operation, this.retry, (0,errors/* retryableFailures */.oi)(), (0,retry/* loggingRetries */.mU)(this.log));
    }
    // ---- blobs ---------------------------------------------------------------------------------
    async blobExists(repo, digest, scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')], retries = true) {
        const res = await this.request('HEAD', `/v2/${repo.path}/blobs/${digest}`, {
            scopes,
            ok: [200, 404],
            retries
        });
        return res.status === 200;
    }
    /**
     * Streams a blob from `offset` on; the caller consumes the body. A registry that ignores
     * `Range` answers 200 with the whole blob, and the skipped bytes are dropped here. With `lent`,
     * each chunk is valid only until the next is asked for (see `HttpRequest.lent`).
     */
    async getBlob(repo, digest, options = {}) {
        const { offset = 0, retries = true, lent = false } = options;
        const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
            headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
            ok: offset > 0 ? [200, 206] : [200],
            retries,
            blob: true,
            lent
        });
        const body = res.stream();
        return offset > 0 && res.status === 200 ? skip(body, offset) : body;
    }
    /**
     * Reads a small blob (a config, a signature payload) whole and checks its digest. `limit` is
     * the most it may hold (`sizeLimits.smallBlob`; `sizeLimits.attestation` for attestations).
     */
    async getBlobBytes(repo, digest, limit = http/* sizeLimits */.gX.smallBlob) {
        return this.retrying(async () => {
            const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
                scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
                ok: [200],
                retries: false,
                // Larger than a small blob: bounded by the idle limit, like a layer, not the deadline.
                ...(limit > http/* sizeLimits */.gX.smallBlob ? { blob: true } : {})
            });
            const bytes = await res.bytes(limit, `blob ${digest}`);
            if ((0,oci_digest/* sha256 */.sc)(bytes) !== digest) {
                throw new Error(`blob ${digest} from ${repo} does not match its digest`);
            }
            return bytes;
        });
    }
    pushBlob(repo, digest, source, mountFrom) {
        return pushBlob(this, repo, digest, source, mountFrom);
    }
    pushGrowingBlob(repo, source) {
        return pushGrowingBlob(this, repo, source);
    }
    // ---- manifests -----------------------------------------------------------------------------
    /** Reads a manifest or index by tag or digest; the digest is computed over the exact bytes. */
    async getManifest(repo, reference) {
        return this.retrying(async () => {
            const res = await this.request('GET', `/v2/${repo.path}/manifests/${reference}`, {
                headers: { accept: media_types/* manifestMediaTypes */.$P.join(', ') },
                scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
                ok: [200],
                retries: false
            });
            const bytes = await res.bytes(http/* sizeLimits */.gX.manifest, `manifest ${repo}:${reference}`);
            const digest = (0,oci_digest/* sha256 */.sc)(bytes);
            if ((0,oci_digest/* isDigest */.Bc)(reference) && digest !== reference) {
                throw new Error(`manifest ${repo}@${reference} does not match its digest (got ${digest})`);
            }
            let parsed;
            try {
                parsed = JSON.parse(bytes.toString('utf8'));
            }
            catch {
                throw new Error(`manifest ${repo}:${reference} is not JSON`);
            }
            const mediaType = (typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined) ??
                res.headers.get('content-type')?.split(';')[0] ??
                '';
            return { bytes, mediaType, digest };
        });
    }
    /** Like `getManifest`, but a missing manifest (or repository) is `undefined`. */
    async findManifest(repo, reference) {
        try {
            return await this.getManifest(repo, reference);
        }
        catch (error) {
            if (error instanceof errors/* RegistryError */.gl && error.status === 404)
                return undefined;
            throw error;
        }
    }
    /** The digest a tag points at, or undefined when the tag does not exist. */
    async resolveTag(repo, tag, scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')]) {
        const res = await this.request('HEAD', `/v2/${repo.path}/manifests/${tag}`, {
            headers: { accept: media_types/* manifestMediaTypes */.$P.join(', ') },
            scopes,
            ok: [200, 404]
        });
        if (res.status === 404)
            return undefined;
        const header = res.headers.get('docker-content-digest');
        if (header && (0,oci_digest/* isDigest */.Bc)(header))
            return header;
        return (await this.getManifest(repo, tag)).digest;
    }
    /**
     * Writes a manifest under a tag or its digest. `subject` is the registry's `OCI-Subject`
     * answer: set when it indexed the manifest's subject (it has the referrers API).
     */
    async putManifest(repo, reference, bytes, mediaType) {
        const digest = (0,oci_digest/* sha256 */.sc)(bytes);
        const res = await this.request('PUT', `/v2/${repo.path}/manifests/${reference}`, {
            headers: { 'content-type': mediaType },
            body: () => bytes,
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')],
            ok: [201, 200]
        });
        await res.discard();
        checkDigest(res, digest);
        return { digest, subject: res.headers.get('oci-subject') ?? undefined };
    }
    /**
     * The referrers of a digest from the OCI 1.1 referrers API, or `undefined` when the registry
     * does not offer the API (then clients keep the `sha256-<hex>` fallback index instead).
     */
    async referrers(repo, digest) {
        return this.retrying(async () => {
            const res = await this.request('GET', `/v2/${repo.path}/referrers/${digest}`, {
                headers: { accept: media_types/* MediaType */.zu.ociIndex },
                scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
                ok: [200, 400, 404, 405],
                retries: false
            });
            if (res.status !== 200) {
                await res.discard();
                return undefined;
            }
            const body = await res.bytes(http/* sizeLimits */.gX.manifest, `referrers of ${digest}`);
            let index;
            try {
                index = JSON.parse(body.toString('utf8'));
            }
            catch {
                throw new Error(`the referrers of ${repo}@${digest} are not JSON; the registry's referrers API is broken`);
            }
            return index.mediaType === media_types/* MediaType */.zu.ociIndex ||
                Array.isArray(index.manifests)
                ? index
                : undefined;
        });
    }
}
async function* skip(source, bytes) {
    let toSkip = bytes;
    for await (const chunk of source) {
        if (toSkip >= chunk.length) {
            toSkip -= chunk.length;
            continue;
        }
        yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
        toSkip = 0;
    }
}


/***/ }),

/***/ 6764:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dr: () => (/* binding */ NetworkError),
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   cw: () => (/* binding */ NotAnImage),
/* harmony export */   eo: () => (/* binding */ registryError),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   h9: () => (/* binding */ TimeLimit),
/* harmony export */   l1: () => (/* binding */ ResponseTooLarge),
/* harmony export */   oi: () => (/* binding */ retryableFailures),
/* harmony export */   ug: () => (/* binding */ RegistryUnreachable),
/* harmony export */   v3: () => (/* binding */ AuthenticationError),
/* harmony export */   z6: () => (/* binding */ UploadRestart)
/* harmony export */ });
/* unused harmony exports isTemporary, retryAfter */
/* harmony import */ var _util_text__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(49997);
/* harmony import */ var _http__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(18669);


/** Error codes whose presence alone makes a failure worth retrying (go-containerregistry's list). */
const temporaryCodes = new Set([
    'BLOB_UPLOAD_INVALID',
    'TOOMANYREQUESTS',
    'UNKNOWN',
    'UNAVAILABLE'
]);
const temporaryStatuses = new Set([408, 429, 499, 500, 502, 503, 504, 522]);
/** Strips credentials and query parameters that may carry tokens from a URL before it is shown. */
function redact(url) {
    try {
        const u = new URL(url);
        u.username = '';
        u.password = '';
        for (const key of [...u.searchParams.keys()]) {
            if (!['digest', 'mount', 'from', 'n', 'last', 'service', 'scope'].includes(key)) {
                u.searchParams.set(key, 'REDACTED');
            }
        }
        return u.toString();
    }
    catch {
        return '<invalid url>';
    }
}
/** A registry's answer that was not a success, with the OCI error codes from its body. */
class RegistryError extends Error {
    method;
    url;
    status;
    codes;
    retryAfterMs;
    constructor(method, url, status, codes, detail, retryAfterMs) {
        const what = codes.length
            ? `${codes.join(', ')}${detail ? `: ${detail}` : ''}`
            : detail || 'no error body';
        const hint = method === 'HEAD' ? ' (HEAD responses have no body)' : '';
        super(`${method} ${redact(url)}: ${status} ${what}${hint}`);
        this.method = method;
        this.url = url;
        this.status = status;
        this.codes = codes;
        this.retryAfterMs = retryAfterMs;
        this.name = 'RegistryError';
    }
    get temporary() {
        if (this.codes.length)
            return this.codes.every(c => temporaryCodes.has(c));
        return temporaryStatuses.has(this.status);
    }
}
/** A failure below HTTP: connection refused or reset, TLS, a timeout, a body cut short. */
class NetworkError extends Error {
    /** A host name that does not resolve will not start resolving on a retry. */
    temporary;
    /** The request was given up by its own time limits (see `http.ts`). */
    timedOut;
    constructor(method, url, cause) {
        super(`${method} ${redact(url)}: ${describeCause(cause)}`, { cause });
        this.name = 'NetworkError';
        this.temporary = !/ENOTFOUND|ERR_INVALID_URL|bad port|certificate/i.test(describeCause(cause));
        this.timedOut = cause instanceof TimeLimit;
    }
}
/** A request's own time limit ran out (nothing moved, or not finished in time). */
class TimeLimit extends Error {
    constructor(message) {
        super(message);
        this.name = 'TimeLimit';
    }
}
/** A response larger than its kind may be (a manifest over 4 MiB, an endless token answer). */
class ResponseTooLarge extends Error {
    temporary = false;
    constructor(what, url, limit) {
        super(`${what} from ${redact(url)} is larger than ${limit} bytes; refusing to read more`);
        this.name = 'ResponseTooLarge';
    }
}
/** The registry could not be reached at all; every later request of the run fails the same way. */
class RegistryUnreachable extends Error {
    registry;
    temporary = false;
    constructor(registry, cause) {
        super(`registry ${registry} cannot be reached (${cause instanceof Error ? cause.message : String(cause)}); check the registry host and port in the image or base name, the network, and insecure-registries for a plain-HTTP registry`, { cause });
        this.registry = registry;
        this.name = 'RegistryUnreachable';
    }
}
/** The registry refused our credentials (or their absence) in a way retrying cannot fix. */
class AuthenticationError extends Error {
    registry;
    credentialOrigin;
    constructor(registry, credentialOrigin, detail) {
        super(credentialOrigin
            ? `registry ${registry} rejected the credentials from ${credentialOrigin} (${detail})`
            : `registry ${registry} requires credentials (${detail}); set the username and password inputs or log in with docker/login-action`);
        this.registry = registry;
        this.credentialOrigin = credentialOrigin;
        this.name = 'AuthenticationError';
    }
}
/** The reference names something other than an image or an index of images. */
class NotAnImage extends Error {
    reference;
    mediaType;
    constructor(reference, mediaType) {
        super(`${reference} is a ${mediaType || 'manifest of unknown type'}, not an image`);
        this.reference = reference;
        this.mediaType = mediaType;
        this.name = 'NotAnImage';
    }
}
/** An upload session that cannot be continued; the whole upload starts again from POST. */
class UploadRestart extends Error {
    temporary = true;
    constructor(digest, cause) {
        super(`upload of ${digest} must restart: ${describeCause(cause)}`, {
            cause
        });
        this.name = 'UploadRestart';
    }
}
function describeCause(cause) {
    if (cause instanceof Error) {
        const inner = cause.cause;
        if (inner instanceof Error)
            return `${cause.message} (${inner.message})`;
        return cause.message;
    }
    return String(cause);
}
/**
 * What one operation retries: temporary failures, but a timeout only once, since a server that
 * stalls twice will stall again and each wait is long. A new predicate for each operation.
 */
function retryableFailures() {
    let timeouts = 0;
    return error => isTemporary(error) &&
        !(error instanceof NetworkError && error.timedOut && ++timeouts > 1);
}
/** Whether retrying the same request may succeed. */
function isTemporary(error) {
    return ((error instanceof RegistryError ||
        error instanceof NetworkError ||
        error instanceof UploadRestart) &&
        error.temporary);
}
/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function retryAfter(value, now = Date.now()) {
    if (value === null || value.trim() === '')
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
/** Parses an error body (`{"errors":[{"code","message"}]}`) into codes and a short detail. */
function errorDetail(text) {
    try {
        const body = JSON.parse(text);
        if (Array.isArray(body.errors)) {
            return {
                codes: body.errors.map(e => /^[A-Z_]{1,64}$/.test(String(e?.code)) ? String(e.code) : 'UNKNOWN'),
                detail: (0,_util_text__WEBPACK_IMPORTED_MODULE_1__/* .foreignText */ .q)(body.errors
                    .map(e => (typeof e?.message === 'string' ? e.message : ''))
                    .filter(Boolean)
                    .join('; '), 500)
            };
        }
    }
    catch {
        // not JSON: the text itself, shortened
    }
    return { codes: [], detail: (0,_util_text__WEBPACK_IMPORTED_MODULE_1__/* .foreignText */ .q)(text) };
}
/** Reads an unwanted answer into a `RegistryError`, with at most 64 KiB of its body. */
async function registryError(method, res) {
    const { codes, detail } = method === 'HEAD'
        ? (await res.discard(), { codes: [], detail: '' })
        : errorDetail(await res.prefix(_http__WEBPACK_IMPORTED_MODULE_0__/* .sizeLimits */ .gX.errorBody));
    return new RegistryError(method, res.url, res.status, codes, detail, retryAfter(res.headers.get('retry-after')));
}


/***/ }),

/***/ 18669:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  MK: () => (/* binding */ defaultLimits),
  tN: () => (/* binding */ send),
  gX: () => (/* binding */ sizeLimits)
});

// UNUSED EXPORTS: HttpResponse

// EXTERNAL MODULE: ./src/registry/errors.ts
var errors = __nccwpck_require__(6764);
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
;// CONCATENATED MODULE: ./src/registry/socket-get.ts


/**
 * A GET whose body is lent to the caller chunk by chunk, each valid until the next is asked for.
 * For layer blobs that are only hashed and decompressed (the check of a previous image's blob):
 * `fetch` allocates each chunk afresh, and on these machines a 30 MB blob cost 0.3 s of this
 * thread that way against 0.04 s here, most of it page faults on the new memory. Over plain HTTP
 * the socket reads into one buffer, reused for every read (`onread`); over TLS the records come as
 * `data` events in memory of their own, as Node's TLS layer may decrypt several records per read
 * into an `onread` buffer before the first is taken. HTTP/1.1 only, one connection per request
 * (`Connection: close`), no proxy.
 */
/** Plain HTTP socket reads land here: the most a chunk lent to the caller holds. */
const readBytes = 1024 * 1024;
/** The status line and headers together; a registry's are a few hundred bytes. */
const headLimit = 64 * 1024;
/** Interim (1xx) answers before the real one: a registry sends none to a GET. */
const maxInterim = 10;
/** A chunk-size line of a chunked body, with its extensions. */
const chunkLineLimit = 4096;
/** A header value that would end the line it is on and start another (a token's `\r\n`). */
const unsafeHeaderValue = /[\r\n\0]/;
/**
 * Sends `GET url` on a new connection and resolves once the response's head has arrived. The
 * signal destroys the connection (the caller's time limits); failures reject with the cause.
 */
function socketGet(url, headers, signal) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return Promise.reject(new Error(`cannot GET a ${url.protocol} URL`));
    for (const [name, value] of Object.entries(headers))
        if (unsafeHeaderValue.test(value) || unsafeHeaderValue.test(name))
            return Promise.reject(new Error(`header ${JSON.stringify(name)} holds a line break`));
    const exchange = new Exchange(signal);
    return exchange.start(url, headers);
}
/** One request and its response on one connection. */
class Exchange {
    signal;
    socket;
    /** The head so far, when it takes more than one read: copied, as the reads' memory is reused. */
    head = [];
    headBytes = 0;
    /** Interim (1xx) answers so far. */
    interim = 0;
    /** The head's last three bytes so far: its end may begin there. */
    headTail = Buffer.alloc(0);
    answered;
    framing;
    chunked = new ChunkedDecoder();
    /**
     * The body bytes of the last read, not handed out yet (one view: a read's chunked data is
     * joined): the socket is paused until they are.
     */
    pending;
    finished = false;
    failure;
    waiting;
    constructor(signal) {
        this.signal = signal;
    }
    start(url, headers) {
        return new Promise((resolve, reject) => {
            this.answered = { resolve, reject };
            if (this.signal.aborted)
                return this.fail(this.signal.reason);
            const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
            const secure = url.protocol === 'https:';
            const port = Number(url.port) || (secure ? 443 : 80);
            if (secure) {
                this.socket = (0,external_node_tls_namespaceObject.connect)({
                    host,
                    port,
                    servername: (0,external_node_net_namespaceObject.isIP)(host) ? undefined : host,
                    ALPNProtocols: ['http/1.1']
                });
                this.socket.on('data', (data) => {
                    if (!this.received(data))
                        this.socket?.pause();
                });
            }
            else {
                const buffer = Buffer.allocUnsafe(readBytes);
                const onread = {
                    buffer,
                    callback: (bytes) => this.received(buffer.subarray(0, bytes))
                };
                this.socket = (0,external_node_net_namespaceObject.connect)({ host, port, onread });
            }
            this.socket.on('error', error => this.fail(error));
            this.socket.on('close', () => this.closed());
            this.signal.addEventListener('abort', this.onAbort, { once: true });
            const lines = [
                `GET ${url.pathname}${url.search} HTTP/1.1`,
                `host: ${url.host}`,
                ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
                // The bytes as stored: a blob is hashed as it comes, never decoded.
                'accept-encoding: identity',
                'connection: close',
                '',
                ''
            ];
            this.socket.write(lines.join('\r\n'));
        });
    }
    async read() {
        for (;;) {
            const next = this.pending;
            this.pending = undefined;
            if (next)
                return next;
            if (this.failure !== undefined)
                throw this.failure;
            if (this.finished)
                return undefined;
            // Everything lent before is given back by asking for more: the buffer may be read into.
            await new Promise(resolve => {
                this.waiting = resolve;
                this.socket?.resume();
            });
        }
    }
    async cancel() {
        this.finished = true;
        this.pending = undefined;
        this.end();
        this.wake();
    }
    onAbort = () => this.fail(this.signal.reason);
    /**
     * A socket read (a view of the reused buffer, or a TLS record): bytes of the head, then of the
     * body. False pauses the socket until what it gave is taken.
     */
    received(data) {
        if (!this.framing) {
            const body = this.readHead(data);
            if (body === undefined)
                return true;
            data = body;
        }
        try {
            this.takeBody(data);
        }
        catch (error) {
            this.fail(error);
            return false;
        }
        this.wake();
        return this.pending === undefined && !this.finished;
    }
    /**
     * Gathers the head, copying what a read holds of it (the read's memory is reused); once whole,
     * answers with it and gives back the body bytes after it in this read. Only the bytes new in a
     * read are searched, with the three before them: a head trickled byte by byte costs no more than
     * one that comes at once.
     */
    readHead(data) {
        const before = this.headBytes;
        const last = this.headTail;
        const seam = Buffer.concat([last, data.subarray(0, 3)]).indexOf('\r\n\r\n');
        const inData = Buffer.from(data.buffer, data.byteOffset, data.length).indexOf('\r\n\r\n');
        const end = seam >= 0
            ? before - last.length + seam
            : inData >= 0
                ? before + inData
                : -1;
        if (end < 0 || end > headLimit) {
            // What is kept may hold three bytes of the end of a head of the limit's size.
            if (end > headLimit || before + data.length > headLimit + 3)
                this.fail(new Error(`the response head is larger than ${headLimit} bytes`));
            else {
                this.head.push(Buffer.from(data));
                this.headBytes += data.length;
                this.headTail = Buffer.concat([last, data.subarray(-3)]).subarray(-3);
            }
            return undefined;
        }
        const text = Buffer.concat([
            ...this.head,
            data.subarray(0, Math.max(0, end - before))
        ])
            .subarray(0, end)
            .toString('latin1');
        this.head = [];
        this.headBytes = 0;
        this.headTail = Buffer.alloc(0);
        // The end of the head may have begun in an earlier read: the rest is in this one.
        const rest = data.subarray(end + 4 - before);
        let response;
        try {
            response = parseHead(text);
            // An interim answer (100 Continue) is followed by the real one; a few at most.
            if (response.status < 200) {
                if (++this.interim > maxInterim)
                    throw new Error(`more than ${maxInterim} interim responses`);
                return rest.length ? this.readHead(rest) : undefined;
            }
            this.framing = framingOf(response.status, response.headers);
        }
        catch (error) {
            this.fail(error);
            return undefined;
        }
        const answered = this.answered;
        this.answered = undefined;
        const noBody = this.framing.kind === 'length' && this.framing.left === 0;
        if (noBody)
            this.finish();
        answered?.resolve({ ...response, body: noBody ? null : this });
        return rest;
    }
    takeBody(data) {
        const framing = this.framing;
        if (framing.kind === 'close') {
            if (data.length)
                this.pending = data;
            return;
        }
        if (framing.kind === 'length') {
            // Bytes past the declared length are not the body's: dropped with the connection.
            const take = Math.min(framing.left, data.length);
            if (take)
                this.pending = data.subarray(0, take);
            framing.left -= take;
            if (framing.left === 0)
                this.finish();
            return;
        }
        const joined = joinedInPlace(this.chunked.decode(data));
        if (joined?.length)
            this.pending = joined;
        if (this.chunked.done)
            this.finish();
    }
    /** The body is complete: the connection is no longer needed. */
    finish() {
        this.finished = true;
        this.end();
    }
    closed() {
        if (this.finished)
            return;
        if (this.framing?.kind === 'close') {
            this.finished = true;
            this.wake();
            return;
        }
        this.fail(new Error(this.framing
            ? this.framing.kind === 'length'
                ? `the connection closed ${this.framing.left} bytes before the end of the body`
                : 'the connection closed before the end of the chunked body'
            : 'the connection closed before a response arrived'));
    }
    fail(error) {
        if (this.failure !== undefined || (this.finished && !this.answered))
            return;
        this.failure = error;
        this.pending = undefined;
        this.answered?.reject(error);
        this.answered = undefined;
        this.end();
        this.wake();
    }
    end() {
        this.signal.removeEventListener('abort', this.onAbort);
        this.socket?.destroy();
    }
    wake() {
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting?.();
    }
}
/**
 * The data of a read's chunks as one view: moved together over the size lines between them, within
 * the read's own memory. A body of tiny chunks is then one piece per read, not one per chunk.
 */
function joinedInPlace(parts) {
    if (parts.length <= 1)
        return parts[0];
    const [first] = parts;
    const memory = new Uint8Array(first.buffer);
    let end = first.byteOffset + first.length;
    for (const part of parts.slice(1)) {
        memory.copyWithin(end, part.byteOffset, part.byteOffset + part.length);
        end += part.length;
    }
    return memory.subarray(first.byteOffset, end);
}
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The status line and header fields (RFC 9112 §4, §5); anything malformed is refused. */
function parseHead(text) {
    const [statusLine, ...lines] = text.split('\r\n');
    const status = /^HTTP\/1\.[01] ([1-9]\d\d)(?: |$)/.exec(statusLine);
    if (!status)
        throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const headers = new Headers();
    for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        if (colon <= 0 || !token.test(name))
            throw new Error(`a malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
        headers.append(name, line.slice(colon + 1).trim());
    }
    return { status: Number(status[1]), headers };
}
/** Where the body ends (RFC 9112 §6.3). */
function framingOf(status, headers) {
    if (status === 204 || status === 304)
        return { kind: 'length', left: 0 };
    const coding = headers.get('transfer-encoding');
    if (coding !== null)
        return /(?:^|,)\s*chunked\s*$/i.test(coding)
            ? { kind: 'chunked' }
            : { kind: 'close' };
    const length = headers.get('content-length');
    if (length === null)
        return { kind: 'close' };
    const values = new Set(length.split(',').map(value => value.trim()));
    const [value] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(value))
        throw new Error(`an invalid content-length: ${JSON.stringify(length)}`);
    return { kind: 'length', left: Number(value) };
}
/**
 * Takes a chunked body apart (RFC 9112 §7.1) as it arrives, in any pieces: the data are views of
 * what it is given, the size lines and trailers are dropped.
 */
class ChunkedDecoder {
    done = false;
    state = 'size';
    line = '';
    left = 0;
    /** Trailer bytes so far: bounded like a head. */
    trailers = 0;
    decode(input) {
        const data = [];
        let at = 0;
        while (at < input.length && !this.done) {
            if (this.state === 'data') {
                const take = Math.min(this.left, input.length - at);
                data.push(input.subarray(at, at + take));
                at += take;
                this.left -= take;
                if (this.left === 0)
                    this.state = 'data-end';
                continue;
            }
            const newline = input.indexOf(0x0a, at);
            const end = newline < 0 ? input.length : newline;
            this.line += Buffer.from(input.buffer, input.byteOffset + at, end - at).toString('latin1');
            at = newline < 0 ? input.length : newline + 1;
            if (this.line.length > chunkLineLimit)
                throw new Error(`a chunked body's line is longer than ${chunkLineLimit} bytes`);
            if (newline < 0)
                break;
            const line = this.line.replace(/\r$/, '');
            this.line = '';
            this.takeLine(line);
        }
        return data;
    }
    takeLine(line) {
        if (this.state === 'data-end') {
            if (line !== '')
                throw new Error('a chunk is longer than its size says');
            this.state = 'size';
        }
        else if (this.state === 'trailer') {
            this.trailers += line.length + 2;
            if (this.trailers > headLimit)
                throw new Error(`a chunked body's trailers are larger than ${headLimit} bytes`);
            if (line === '')
                this.done = true;
        }
        else {
            const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
            if (!size)
                throw new Error(`an invalid chunk size: ${JSON.stringify(line.slice(0, 40))}`);
            this.left = parseInt(size[1], 16);
            this.state = this.left === 0 ? 'trailer' : 'data';
        }
    }
}

;// CONCATENATED MODULE: ./src/registry/http.ts


const defaultLimits = {
    idleMs: 30_000,
    deadlineMs: 60_000,
    answerMs: 600_000
};
/** The most a response of each kind may hold; registries cap manifests at 4 MiB too. */
const sizeLimits = {
    manifest: 4 * 1024 * 1024,
    /** Configs, signature payloads and bundles: small JSON blobs read whole. */
    smallBlob: 8 * 1024 * 1024,
    /**
     * A signed attestation read back whole: a `.att` layer (a DSSE envelope) or a bundle referrer's
     * layer. An SBOM of many thousand packages is several megabytes, base64 adds a third.
     */
    attestation: 64 * 1024 * 1024,
    token: 1024 * 1024,
    errorBody: 64 * 1024
};
/**
 * A response whose body can only be read within bounds: whole up to a size limit, or as a stream
 * that fails when it goes quiet. Reading or discarding it ends its timers.
 */
class HttpResponse {
    status;
    headers;
    url;
    body;
    clock;
    method;
    lent;
    constructor(status, headers, 
    /** Where the answer came from, after redirects. */
    url, body, clock, method, 
    /** The body's chunks are lent (`HttpRequest.lent`): what is kept past a chunk is copied. */
    lent = false) {
        this.status = status;
        this.headers = headers;
        this.url = url;
        this.body = body;
        this.clock = clock;
        this.method = method;
        this.lent = lent;
    }
    /** The whole body, failing once it exceeds `limit` bytes. */
    async bytes(limit, what = 'the response') {
        const chunks = [];
        let total = 0;
        for await (const chunk of this.stream()) {
            total += chunk.length;
            if (total > limit) {
                await this.discard();
                throw new errors/* ResponseTooLarge */.l1(what, this.url, limit);
            }
            chunks.push(this.lent ? Buffer.from(chunk) : chunk);
        }
        return Buffer.concat(chunks, total);
    }
    /** At most the first `limit` bytes of the body as text, the rest dropped: for error pages. */
    async prefix(limit) {
        const chunks = [];
        let total = 0;
        try {
            for await (const chunk of this.stream()) {
                const kept = chunk.subarray(0, limit - total);
                chunks.push(this.lent ? Buffer.from(kept) : kept);
                total += kept.length;
                if (total >= limit)
                    break;
            }
        }
        catch {
            // A body cut short still says something.
        }
        await this.discard();
        return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
    }
    /** The body as it arrives; every chunk counts as progress against the idle limit. */
    async *stream() {
        if (!this.body) {
            this.clock.stop();
            return;
        }
        try {
            for (;;) {
                let chunk;
                try {
                    chunk = await this.body.read();
                }
                catch (error) {
                    throw new errors/* NetworkError */.Dr(this.method, this.url, this.clock.reason() ?? error);
                }
                if (chunk === undefined)
                    return;
                this.clock.touch();
                yield chunk;
            }
        }
        finally {
            this.clock.stop();
            await this.body.cancel().catch(() => { });
        }
    }
    async discard() {
        this.clock.stop();
        await this.body?.cancel().catch(() => { });
    }
}
/** The idle and deadline timers of one request; either one aborts it. */
class RequestClock {
    limits;
    controller = new AbortController();
    idle;
    deadline;
    why;
    stopped = false;
    quietMs;
    constructor(limits, bounded) {
        this.limits = limits;
        this.quietMs = limits.idleMs;
        if (bounded) {
            this.deadline = setTimeout(() => this.abort(`not finished within ${limits.deadlineMs / 1000} s`), limits.deadlineMs);
            this.deadline.unref();
        }
        this.touch();
    }
    /** Bytes moved: the idle limit starts again. */
    touch() {
        if (this.stopped)
            return;
        clearTimeout(this.idle);
        this.idle = setTimeout(() => this.abort(`nothing moved for ${this.quietMs / 1000} s`), this.quietMs);
        this.idle.unref();
    }
    /** The request body is sent: the answer may now take `answerMs`, then bytes flow again. */
    waitForAnswer() {
        this.quietMs = this.limits.answerMs;
        this.touch();
    }
    answered() {
        this.quietMs = this.limits.idleMs;
        this.touch();
    }
    stop() {
        this.stopped = true;
        clearTimeout(this.idle);
        clearTimeout(this.deadline);
    }
    reason() {
        return this.why;
    }
    abort(message) {
        this.why = new errors/* TimeLimit */.h9(message);
        this.stop();
        this.controller.abort(this.why);
    }
}
const maxRedirects = 5;
/** A fetch body as a `LentBody` (its chunks are its own, never reused). */
function readerOf(stream) {
    if (!stream)
        return null;
    let reader;
    return {
        async read() {
            reader ??= stream.getReader();
            const next = await reader.read();
            return next.done ? undefined : next.value;
        },
        async cancel() {
            await (reader ?? stream).cancel().catch(() => { });
        }
    };
}
async function fetched(url, init) {
    const res = await fetch(url, init);
    return {
        status: res.status,
        headers: res.headers,
        body: readerOf(res.body)
    };
}
/** A request body that counts what it sends as progress, and says when it is all sent. */
async function* progressing(source, clock) {
    for await (const chunk of source) {
        clock.touch();
        yield chunk;
    }
    clock.waitForAnswer();
}
/**
 * Sends one request with bounded time. Redirects of body-less requests are followed here (up to
 * five, never from https to http), and `authorization` is sent to the first origin only: a
 * storage host a registry redirects to never sees the registry's credentials.
 */
async function send(request, limits, userAgent, 
/** False sends lent GETs through `fetch` too: Node's proxy settings reach only `fetch`. */
socketReads = true) {
    const origin = new URL(request.url).origin;
    let url = request.url;
    // Opened before the clock starts: a source read from another registry takes its own time.
    const opened = request.body ? await request.body() : undefined;
    const clock = new RequestClock({ ...limits, ...request.limits }, !request.blob);
    const streamed = opened !== undefined &&
        !Buffer.isBuffer(opened) &&
        typeof opened !== 'string';
    const body = streamed ? progressing(opened, clock) : opened;
    if (opened !== undefined && !streamed)
        clock.waitForAnswer();
    for (let hop = 0;; hop++) {
        const headers = {
            'user-agent': userAgent,
            ...request.headers
        };
        if (new URL(url).origin !== origin)
            delete headers.authorization;
        const lent = socketReads &&
            !!request.lent &&
            request.method === 'GET' &&
            body === undefined;
        let res;
        try {
            res = lent
                ? await socketGet(new URL(url), headers, clock.controller.signal)
                : await fetched(url, {
                    method: request.method,
                    headers,
                    body: body,
                    redirect: 'manual',
                    signal: clock.controller.signal,
                    ...(streamed ? { duplex: 'half' } : {})
                });
        }
        catch (error) {
            clock.stop();
            throw new errors/* NetworkError */.Dr(request.method, url, clock.reason() ?? error);
        }
        clock.answered();
        const location = res.headers.get('location');
        const redirect = [301, 302, 303, 307, 308].includes(res.status);
        if (!redirect || !location || body !== undefined) {
            if (request.method === 'HEAD' || !res.body)
                clock.stop();
            return new HttpResponse(res.status, res.headers, url, res.body, clock, request.method, lent);
        }
        await res.body?.cancel();
        const next = new URL(location, url);
        const why = hop >= maxRedirects
            ? `more than ${maxRedirects} redirects`
            : new URL(url).protocol === 'https:' && next.protocol !== 'https:'
                ? `redirected from https to ${next.protocol}; refusing to downgrade`
                : undefined;
        if (why) {
            clock.stop();
            throw new Error(`${request.method} ${(0,errors/* redact */.E$)(request.url)}: ${why}`);
        }
        url = next.toString();
    }
}


/***/ }),

/***/ 68886:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  I: () => (/* binding */ defaultKeychain)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(76760);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(31421);
// EXTERNAL MODULE: ./src/util/executable.ts
var executable = __nccwpck_require__(82146);
;// CONCATENATED MODULE: ./src/registry/credential-helper.ts


/** The protocol's answer for "nothing stored for this server" (docker-credential-helpers). */
const notFound = 'credentials not found in native keychain';
/** The answer is a few hundred bytes; a helper that prints more is not speaking the protocol. */
const maxOutput = 64 * 1024;
/** A credential helper that could not give an answer; never carries what the helper printed. */
class CredentialHelperError extends Error {
    constructor(call, detail) {
        super(`credential helper docker-credential-${call.helper} (${call.source}) ${detail}`);
        this.name = 'CredentialHelperError';
    }
}
/**
 * Runs the helper in a process group of its own, so that when it is stopped (out of time, or
 * printing without end) a script's children go with it and cannot hold its output open.
 */
function runHelper(path, call) {
    // The action's own inputs (the password, the tokens, a signing key) are no business of a helper.
    const env = Object.fromEntries(Object.entries(call.env).filter(([key]) => !key.startsWith('INPUT_')));
    return new Promise(resolve => {
        const child = (0,external_node_child_process_.spawn)(path, ['get'], {
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
            detached: true
        });
        const stdout = [];
        const stderr = [];
        let size = 0;
        let settled = false;
        const finish = (result) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            if (typeof result === 'string') {
                try {
                    if (child.pid)
                        process.kill(-child.pid, 'SIGKILL');
                }
                catch {
                    // Already gone.
                }
                child.stdout?.destroy();
                child.stderr?.destroy();
            }
            resolve(result);
        };
        const timer = setTimeout(() => finish('timeout'), call.timeoutMs);
        const collect = (into) => (chunk) => {
            size += chunk.length;
            if (size > maxOutput)
                finish('too-large');
            else
                into.push(chunk);
        };
        child.stdout.on('data', collect(stdout));
        child.stderr.on('data', collect(stderr));
        child.on('error', error => finish(error));
        child.on('close', (code, signal) => finish({
            code,
            signal,
            stdout: Buffer.concat(stdout),
            stderr: Buffer.concat(stderr)
        }));
        // A helper that exits without reading its input is answered by its exit status, not an EPIPE.
        child.stdin.on('error', () => { });
        child.stdin.end(call.serverUrl);
    });
}
/**
 * `docker-credential-<helper> get` with the server on stdin: the credential, or undefined when the
 * helper has none for it. Anything else (no such helper, a failure, no answer within the time
 * limit, an answer that is not the protocol's JSON) is a `CredentialHelperError` that names the
 * helper and the registry but never repeats the helper's output: it may be a secret.
 */
async function helperGet(call) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(call.helper)) {
        throw new Error(`${call.source} names the credential helper "${call.helper}", which is not a helper name (docker-credential-<name>)`);
    }
    const path = await (0,executable/* findExecutable */.o)(`docker-credential-${call.helper}`, call.env);
    if (!path) {
        throw new CredentialHelperError(call, `is not on the PATH; install it, or remove that entry to log in to ${call.registry} another way`);
    }
    const outcome = await runHelper(path, call);
    const unshown = 'its output is not shown, as it may hold a secret';
    if (outcome === 'timeout') {
        throw new CredentialHelperError(call, `did not answer for registry ${call.registry} within ${call.timeoutMs / 1000} s and was stopped`);
    }
    if (outcome === 'too-large') {
        throw new CredentialHelperError(call, `printed more than ${maxOutput / 1024} KiB for registry ${call.registry} and was stopped; ${unshown}`);
    }
    if (outcome instanceof Error) {
        const code = outcome.code ?? 'an error';
        throw new CredentialHelperError(call, `could not be started for registry ${call.registry} (${code})`);
    }
    if (outcome.code !== 0) {
        const said = `${outcome.stdout.toString('utf8')}\n${outcome.stderr.toString('utf8')}`;
        if (said.includes(notFound))
            return undefined;
        const status = outcome.code === null
            ? `killed by ${outcome.signal}`
            : `exit status ${outcome.code}`;
        throw new CredentialHelperError(call, `failed for registry ${call.registry} (${status}); ${unshown}`);
    }
    let answer;
    try {
        answer = JSON.parse(outcome.stdout.toString('utf8'));
    }
    catch {
        // JSON.parse quotes the text it could not read; that text may be the secret.
        answer = undefined;
    }
    const { Username, Secret } = (answer ?? {});
    if (typeof answer !== 'object' ||
        answer === null ||
        typeof Username !== 'string' ||
        typeof Secret !== 'string') {
        throw new CredentialHelperError(call, `answered for registry ${call.registry} with something other than the credential JSON ({"ServerURL","Username","Secret"}); ${unshown}`);
    }
    // Some helpers answer an empty credential instead of "not found".
    if (!Secret)
        return undefined;
    return { username: Username, secret: Secret };
}

;// CONCATENATED MODULE: ./src/registry/keychain.ts




const dockerHubAliases = [
    'docker.io',
    'index.docker.io',
    'registry-1.docker.io'
];
/** The server Docker logs in to and asks helpers about for Docker Hub. */
const dockerHubServer = 'https://index.docker.io/v1/';
/** `https://index.docker.io/v1/` → `index.docker.io`; `quay.io/acme` → `quay.io`. */
function keyHost(key) {
    return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}
function sameHost(host, registry) {
    return registry.name === 'docker.io'
        ? dockerHubAliases.includes(host)
        : host === registry.name;
}
function sameRegistry(key, registry) {
    return sameHost(keyHost(key), registry);
}
/** The credential an `auths` entry holds, if it holds one (`{}` is a credential store's placeholder). */
function entryCredential(entry, origin) {
    if (entry.identitytoken) {
        return {
            username: entry.username ?? '<token>',
            password: '',
            identityToken: entry.identitytoken,
            origin
        };
    }
    if (entry.username && entry.password) {
        return { username: entry.username, password: entry.password, origin };
    }
    if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) {
            return {
                username: decoded.slice(0, colon),
                password: decoded.slice(colon + 1),
                origin
            };
        }
    }
    return undefined;
}
/** A helper's answer as a credential: the username `<token>` means the secret is an identity token. */
function helperCredential(answer, origin) {
    if (!answer)
        return undefined;
    if (answer.username === '<token>') {
        return {
            username: answer.username,
            password: '',
            identityToken: answer.secret,
            origin
        };
    }
    return { username: answer.username, password: answer.secret, origin };
}
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Reads a config.json or auth.json; undefined when there is none. */
async function readAuthFile(path) {
    let text;
    try {
        text = await (0,promises_.readFile)(path, 'utf8');
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOENT' || code === 'ENOTDIR')
            return undefined;
        throw new Error(`cannot read the registry credentials in ${path} (${code ?? error.message})`);
    }
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        // Not JSON.parse's message: it quotes the file, which holds credentials.
        parsed = undefined;
    }
    if (!isRecord(parsed)) {
        throw new Error(`${path} is not a JSON object of registry credentials; fix or remove it`);
    }
    const auths = isRecord(parsed.auths)
        ? Object.fromEntries(Object.entries(parsed.auths).filter(([, v]) => isRecord(v)))
        : {};
    const credHelpers = isRecord(parsed.credHelpers)
        ? Object.fromEntries(Object.entries(parsed.credHelpers).filter(([, v]) => typeof v === 'string' && v !== ''))
        : {};
    const credsStore = typeof parsed.credsStore === 'string' && parsed.credsStore
        ? parsed.credsStore
        : undefined;
    return { path, auths, credHelpers, credsStore };
}
/**
 * The containers auth.json files in the order podman, skopeo and buildah read them:
 * `REGISTRY_AUTH_FILE` (their `--authfile`), the primary file `$XDG_RUNTIME_DIR/containers/auth.json`
 * (`/run/containers/<uid>/auth.json` without `XDG_RUNTIME_DIR`), then
 * `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`).
 */
function containersAuthFiles(options, home) {
    const { env } = options;
    const uid = options.uid ?? process.getuid?.();
    const files = [
        env.REGISTRY_AUTH_FILE,
        env.XDG_RUNTIME_DIR
            ? (0,external_node_path_.join)(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
            : uid !== undefined
                ? (0,external_node_path_.join)('/run/containers', String(uid), 'auth.json')
                : undefined,
        (0,external_node_path_.join)(env.XDG_CONFIG_HOME || (0,external_node_path_.join)(home, '.config'), 'containers', 'auth.json')
    ];
    return files.filter((file, i) => !!file && files.indexOf(file) === i);
}
/**
 * The credential of the most specific `auths` key of a containers auth.json for a repository:
 * `quay.io/acme/api`, then `quay.io/acme`, then `quay.io` (containers-auth.json(5)). A key with a
 * scheme is Docker's form, whose path is no namespace.
 */
function containersAuths(file, registry, path) {
    let best;
    let bestLength = -1;
    for (const [key, entry] of Object.entries(file.auths)) {
        const bare = key.replace(/^https?:\/\//, '');
        const slash = bare.indexOf('/');
        const host = slash < 0 ? bare : bare.slice(0, slash);
        const namespace = slash < 0 || bare !== key ? '' : bare.slice(slash + 1).replace(/\/$/, '');
        if (!sameHost(host, registry) || namespace.length <= bestLength)
            continue;
        if (namespace &&
            !(path && (path === namespace || path.startsWith(`${namespace}/`))))
            continue;
        const credential = entryCredential(entry, `auths["${key}"] in ${file.path}`);
        if (credential) {
            best = credential;
            bestLength = namespace.length;
        }
    }
    return best;
}
/**
 * Inputs first; then Docker's config.json (what docker/login-action writes): the registry's
 * `credHelpers` entry, else an `auths` entry, else the `credsStore`; then the containers
 * auth.json files (what podman, skopeo and buildah logins write), each its `credHelpers` entry
 * else its most specific `auths` key; then ghcr.io with the GitHub token. Each registry is
 * resolved once, so a helper runs at most once per registry.
 */
function defaultKeychain(options) {
    const { env } = options;
    const home = env.HOME || (0,external_node_os_.homedir)();
    const timeoutMs = options.helperTimeoutMs ?? 10_000;
    const files = new Map();
    const load = (path) => {
        let file = files.get(path);
        if (!file) {
            file = readAuthFile(path);
            files.set(path, file);
        }
        return file;
    };
    const dockerConfig = (0,external_node_path_.join)(options.dockerConfigDir ?? env.DOCKER_CONFIG ?? (0,external_node_path_.join)(home, '.docker'), 'config.json');
    const helper = async (name, serverUrl, registry, source) => helperCredential(await helperGet({
        helper: name,
        serverUrl,
        registry: registry.name,
        source,
        env,
        timeoutMs
    }), `docker-credential-${name} (${source})`);
    /** A helper named for the registry is the file's whole answer for it, as in Docker and podman. */
    const fromCredHelpers = (file, registry) => {
        const key = Object.keys(file.credHelpers).find(k => sameRegistry(k, registry));
        if (key === undefined)
            return undefined;
        return helper(file.credHelpers[key], key, registry, `credHelpers["${key}"] in ${file.path}`);
    };
    const fromDocker = async (registry) => {
        const file = await load(dockerConfig);
        if (!file)
            return undefined;
        const named = fromCredHelpers(file, registry);
        if (named)
            return named;
        const keys = Object.keys(file.auths).filter(k => sameRegistry(k, registry));
        for (const key of keys) {
            const credential = entryCredential(file.auths[key], `auths["${key}"] in ${file.path}`);
            if (credential)
                return credential;
        }
        if (file.credsStore) {
            // `docker login` leaves the server it stored under as an empty `auths` entry.
            const server = keys[0] ??
                (registry.name === 'docker.io' ? dockerHubServer : registry.name);
            return helper(file.credsStore, server, registry, `credsStore in ${file.path}`);
        }
        return undefined;
    };
    const fromContainers = async (registry) => {
        const path = options.repositories?.find(r => r.registry.name === registry.name)?.path;
        for (const authFile of containersAuthFiles(options, home)) {
            const file = await load(authFile);
            if (!file)
                continue;
            const named = fromCredHelpers(file, registry);
            const credential = named
                ? await named
                : containersAuths(file, registry, path);
            if (credential)
                return credential;
        }
        return undefined;
    };
    const find = async (registry) => {
        const explicit = options.explicit;
        if (explicit && explicit.registry.name === registry.name) {
            return {
                username: explicit.username,
                password: explicit.password,
                origin: 'the username and password inputs'
            };
        }
        const found = (await fromDocker(registry)) ?? (await fromContainers(registry));
        if (found)
            return found;
        if (registry.name === 'ghcr.io' && options.githubToken) {
            return {
                username: options.githubActor || 'github-actions',
                password: options.githubToken,
                origin: 'the github-token input'
            };
        }
        return undefined;
    };
    const resolved = new Map();
    return {
        resolve(registry) {
            let credential = resolved.get(registry.name);
            if (!credential) {
                credential = find(registry);
                resolved.set(registry.name, credential);
            }
            return credential;
        }
    };
}


/***/ }),

/***/ 40670:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ registryTransport),
/* harmony export */   W: () => (/* binding */ proxiedByEnvironment)
/* harmony export */ });
/* harmony import */ var _util_log__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(29906);
/* harmony import */ var _util_retry__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4266);
/* harmony import */ var _auth__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(27481);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6764);
/* harmony import */ var _http__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(18669);





/**
 * Whether Node's `fetch` sends requests through a proxy named in the environment: Node 24 does
 * so with `NODE_USE_ENV_PROXY=1` or `--use-env-proxy` (in `NODE_OPTIONS` or among Node's own
 * flags, `execArgv`) and `HTTP(S)_PROXY`.
 */
function proxiedByEnvironment(env, execArgv = []) {
    const enabled = env.NODE_USE_ENV_PROXY === '1' ||
        execArgv.includes('--use-env-proxy') ||
        /(?:^|\s)--use-env-proxy(?:\s|$)/.test(env.NODE_OPTIONS ?? '');
    return (enabled &&
        ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some(name => !!env[name]));
}
/** Turns any status the request does not expect into a `RegistryError` (temporary or not). */
function checkingStatus(inner) {
    return async (request) => {
        const res = await inner(request);
        if (!request.ok.includes(res.status))
            throw await (0,_errors__WEBPACK_IMPORTED_MODULE_3__/* .registryError */ .eo)(request.method, res);
        return res;
    };
}
/** Retries temporary failures with backoff, unless the request's caller retries a larger operation. */
function retrying(inner, policy, log) {
    return request => request.retries === false
        ? inner(request)
        : (0,_util_retry__WEBPACK_IMPORTED_MODULE_1__/* .withRetries */ .LH)(() => inner(request), policy, (0,_errors__WEBPACK_IMPORTED_MODULE_3__/* .retryableFailures */ .oi)(), (0,_util_retry__WEBPACK_IMPORTED_MODULE_1__/* .loggingRetries */ .mU)(log));
}
/**
 * The transport to one registry, stacked like go-containerregistry's `transport` package: HTTP
 * with time bounds and redirects (`http.ts`), auth (`auth.ts`), status checks, retries.
 */
function registryTransport(registry, options) {
    const insecure = registry.isLoopback ||
        (options.insecureRegistries ?? []).includes(registry.name);
    const baseUrl = `${insecure ? 'http' : 'https'}://${registry.apiHost}`;
    const limits = options.limits ?? _http__WEBPACK_IMPORTED_MODULE_4__/* .defaultLimits */ .MK;
    const userAgent = options.userAgent ?? 'imprint';
    const log = options.log ?? _util_log__WEBPACK_IMPORTED_MODULE_0__/* .silentLogger */ .q;
    const retry = options.retry ?? _util_retry__WEBPACK_IMPORTED_MODULE_1__/* .defaultRetryPolicy */ .ur;
    const socketReads = options.socketReads ?? true;
    const auth = new _auth__WEBPACK_IMPORTED_MODULE_2__/* .Authenticator */ .kD(request => (0,_http__WEBPACK_IMPORTED_MODULE_4__/* .send */ .tN)(request, limits, userAgent, socketReads), {
        registry,
        baseUrl,
        keychain: options.keychain,
        retry,
        log,
        limits
    });
    return {
        baseUrl,
        transport: retrying(checkingStatus(auth.transport), retry, log)
    };
}


/***/ }),

/***/ 57994:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Nk: () => (/* binding */ metadataOf)
/* harmony export */ });
/* unused harmony exports outputsOf, renderSummary, renderFailureSummary */


/** Output name → value, as `action.yml` declares them. */
function outputsOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        images: result.images.join('\n'),
        tags: result.tags.join('\n'),
        'config-digest': result.configDigest ?? '',
        platform: result.platforms.map(p => p.platform).join(','),
        signature: result.signatures[0]?.legacy ?? '',
        sbom: (result.sboms ?? []).map(s => s.path).join('\n'),
        'manifest-commit': result.deploy?.commit ?? '',
        'manifests-changed': result.deploy?.changed.join('\n') ?? '',
        'previous-image': result.deploy?.previous ?? '',
        'manifest-pull-request': result.deploy?.pullRequest?.url ?? '',
        metadata: JSON.stringify(metadataOf(result))
    };
}
function metadataOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        images: result.images,
        repository: result.repository,
        tags: result.tags,
        'config-digest': result.configDigest ?? null,
        mediaType: result.mediaType,
        base: result.base ?? null,
        revision: result.revision ?? null,
        sourceDateEpoch: result.sourceDateEpoch,
        pushed: result.pushed,
        platforms: result.platforms,
        ...(result.push
            ? {
                upload: {
                    uploadedBytes: result.push.uploadedBytes,
                    reusedBytes: result.push.reusedBytes,
                    blobs: result.push.blobs,
                    tags: result.push.tags
                }
            }
            : {}),
        ...(result.mirrors
            ? {
                mirrors: result.mirrors.map(m => ({
                    repository: m.repository,
                    uploadedBytes: m.push.uploadedBytes,
                    reusedBytes: m.push.reusedBytes,
                    tags: m.push.tags
                }))
            }
            : {}),
        ...(result.ociLayout ? { ociLayout: result.ociLayout } : {}),
        ...(result.loaded ? { loaded: result.loaded } : {}),
        signature: result.signatures[0]?.legacy ?? null,
        signatures: result.signatures,
        ...(result.sboms?.length ? { sboms: result.sboms } : {}),
        ...(result.deploy
            ? {
                manifests: {
                    mode: result.deploy.mode,
                    commit: result.deploy.commit ?? null,
                    changed: result.deploy.changed,
                    previous: result.deploy.previous ?? null,
                    skipped: result.deploy.skipped ?? null,
                    pullRequest: result.deploy.pullRequest ?? null,
                    changes: result.deploy.changes.map(c => ({
                        file: c.path,
                        ...c.change
                    }))
                }
            }
            : {})
    };
}
/** The job summary as Markdown; pure, so it is tested as text. */
function renderSummary(result) {
    const lines = [];
    lines.push(`### Imprint: ${escapeCell(result.repository)}`, '');
    lines.push('| | |', '|---|---|');
    lines.push(`| Digest | ${code(result.digest)} |`);
    lines.push(`| Image | ${result.images.map(image => code(image)).join('<br>')} |`);
    const pushes = [
        ...(result.push
            ? [{ repository: result.repository, push: result.push }]
            : []),
        ...(result.mirrors ?? [])
    ];
    const tagOutcome = new Map(pushes.flatMap(({ repository, push }) => push.tags.map(t => [`${repository}:${t.tag}`, t.outcome])));
    if (result.tags.length) {
        const tags = result.tags.map(ref => {
            const outcome = tagOutcome.get(ref);
            return `${code(ref)}${outcome ? ` (${outcome})` : ''}`;
        });
        lines.push(`| Tags | ${tags.join('<br>')} |`);
    }
    lines.push(`| Platforms | ${result.platforms.map(p => escapeCell(p.platform)).join(', ')} |`);
    if (result.configDigest)
        lines.push(`| Config | ${code(result.configDigest)} |`);
    if (result.base)
        lines.push(`| Base | ${code(result.base.name)}${result.base.digest ? ` @ ${code(result.base.digest)}` : ''} |`);
    else
        lines.push('| Base | scratch |');
    if (result.revision)
        lines.push(`| Revision | ${code(result.revision)} |`);
    if (pushes.length) {
        for (const { repository, push } of pushes) {
            const uploaded = push.blobs.filter(b => b.outcome === 'uploaded').length;
            const where = pushes.length > 1 ? ` to ${code(repository)}` : '';
            lines.push(`| Upload | ${formatBytes(push.uploadedBytes)} uploaded${where} in ${uploaded} blobs, ` +
                `${formatBytes(push.reusedBytes)} reused in ${push.blobs.length - uploaded} |`);
        }
    }
    else {
        lines.push(`| Upload | not pushed${result.ociLayout ? `; written to OCI layout ${code(result.ociLayout)}` : ''} |`);
    }
    if (result.loaded)
        lines.push(`| Loaded | into ${escapeCell(result.loaded.engine)} (${escapeCell(result.loaded.platform)}): ${result.loaded.references.map(code).join('<br>')} |`);
    for (const record of result.signatures) {
        lines.push(`| Signature | ${code(record.subject)}<br>cosign v2 / containers/image: ${code(record.legacy)}<br>cosign v3 bundle: ${code(record.bundle)}${record.provenance ? `<br>SLSA provenance: ${code(record.provenance)}` : ''} |`);
    }
    if (result.pushed && result.signatures.length === 0)
        lines.push('| Signature | not signed |');
    for (const sbom of result.sboms ?? [])
        lines.push(`| SBOM | ${sbom.packages} packages${result.sboms.length > 1 ? ` (${escapeCell(sbom.platform)})` : ''}, CycloneDX, signed and attached; ${code(sbom.path)}${sbom.unreadLayers?.length ? `<br>incomplete: ${sbom.unreadLayers.length} base layer${sbom.unreadLayers.length > 1 ? 's' : ''} could not be read (${sbom.unreadLayers.map(code).join(', ')}), their packages are not listed` : ''} |`);
    if (result.deploy) {
        const d = result.deploy;
        const what = d.skipped
            ? `not updated: ${escapeCell(d.skipped)}`
            : d.pullRequest
                ? `pull request ${escapeCell(d.pullRequest.url)} ${d.pullRequest.operation}`
                : d.commit
                    ? `committed ${code(d.commit)} (${d.changed.length} files)`
                    : d.changed.length
                        ? `${d.changed.length} files edited in the workspace`
                        : 'already up to date';
        lines.push(`| Manifests | ${what} |`);
        if (d.previous)
            lines.push(`| Previous image | ${code(d.previous)} |`);
    }
    const total = (layers) => layers.reduce((n, l) => n + l.size, 0);
    for (const platform of result.platforms) {
        lines.push('', `#### Layers — ${escapeCell(platform.platform)} (${formatBytes(total(platform.layers))} compressed)`, '');
        if (result.platforms.length > 1)
            lines.push(`Manifest ${code(platform.digest)}`, '');
        lines.push('| # | Source | Destination | Digest | Size |', '|---|---|---|---|---|');
        platform.layers.forEach((layer, i) => {
            const source = layer.source === undefined ? 'base' : code(layer.source);
            const destination = layer.destination === undefined ? '' : code(layer.destination);
            lines.push(`| ${i + 1} | ${source} | ${destination} | ${code(layer.digest.slice(0, 19))} | ${formatBytes(layer.size)} |`);
        });
    }
    if (result.deploy?.changes.length) {
        lines.push('', '#### Manifest changes', '', '| File | Path | From | To |', '|---|---|---|---|');
        for (const { path, change } of result.deploy.changes) {
            lines.push(`| ${code(path)} | ${code(change.path)} | ${code(change.from)} | ${code(change.to)} |`);
        }
    }
    return lines.join('\n') + '\n';
}
/** The summary of a failed run: the errors, and the image as far as it was built. */
function renderFailureSummary(errors, assembled) {
    const lines = ['### Imprint: failed', ''];
    for (const error of errors)
        lines.push(`> ${escapeCell(error)}`, '');
    if (assembled) {
        lines.push(`The image was assembled (${code(assembled.digest)}) but not completely published.`, '');
        lines.push(renderSummary({ ...assembled, push: undefined }));
    }
    return lines.join('\n') + '\n';
}


/***/ }),

/***/ 56486:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Vs: () => (/* reexport */ ScanBudget),
  U$: () => (/* reexport */ catalog_catalog),
  Ti: () => (/* reexport */ statement/* cycloneDxPredicateType */.T),
  f: () => (/* reexport */ defaultMaxFileSize),
  jx: () => (/* reexport */ diskSource),
  G6: () => (/* reexport */ keptSource),
  Nt: () => (/* reexport */ mergeViews),
  Em: () => (/* reexport */ readMode),
  h4: () => (/* reexport */ scanLayer)
});

// UNUSED EXPORTS: catalogLayers, defaultCatalogers, defaultElfLimits, defaultScanBudget, fileSource, inTotoStatementType, mergeLayers, mergePackages, parseOsRelease, scanView

;// CONCATENATED MODULE: ./src/sbom/text.ts
/**
 * Splits RFC 822-style text (dpkg's status, Python's METADATA/PKG-INFO) into paragraphs of
 * fields. A line starting with a space or tab continues the previous field (joined with `\n`);
 * a blank line ends a paragraph. With `headersOnly` (email headers, as Python's core metadata
 * is), only an empty line ends the headers, a line of spaces continues a field (a licence text's
 * blank line), and parsing stops there: the rest of a METADATA file is the long description.
 */
function parseParagraphs(text, headersOnly = false) {
    const paragraphs = [];
    let current = new Map();
    let lastKey;
    for (const line of text.split(/\r?\n/)) {
        if (headersOnly ? line === '' : line.trim() === '') {
            if (current.size > 0)
                paragraphs.push(current);
            current = new Map();
            lastKey = undefined;
            if (headersOnly && paragraphs.length > 0)
                break;
            continue;
        }
        if ((line[0] === ' ' || line[0] === '\t') && lastKey !== undefined) {
            const values = current.get(lastKey);
            values[values.length - 1] += '\n' + line.trim();
            continue;
        }
        const colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        lastKey = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        const values = current.get(lastKey);
        if (values)
            values.push(value);
        else
            current.set(lastKey, [value]);
    }
    if (current.size > 0)
        paragraphs.push(current);
    return paragraphs;
}
/** The first value of a field (case-insensitive key), or undefined when absent or empty. */
function field(fields, key) {
    const lower = key.toLowerCase();
    for (const [k, values] of fields) {
        if (k.toLowerCase() === lower)
            return values[0] || undefined;
    }
    return undefined;
}
/** Every value of a field (case-insensitive key). */
function fieldAll(fields, key) {
    const lower = key.toLowerCase();
    const out = [];
    for (const [k, values] of fields) {
        if (k.toLowerCase() === lower)
            out.push(...values);
    }
    return out;
}
/** `os-release`/`.properties`-style `KEY=value` lines; quotes and `#` comments handled. */
function parseKeyValues(text, separator = /=/) {
    const out = new Map();
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#') || line.startsWith('!'))
            continue;
        const match = separator.exec(line);
        if (!match || match.index === 0)
            continue;
        const key = line.slice(0, match.index).trim();
        let value = line.slice(match.index + match[0].length).trim();
        if (value.length >= 2 &&
            (value[0] === '"' || value[0] === "'") &&
            value.endsWith(value[0])) {
            value = value.slice(1, -1).replace(/\\(["'\\$`])/g, '$1');
        }
        out.set(key, value);
    }
    return out;
}
/** The last path segment. */
function basename(path) {
    return path.slice(path.lastIndexOf('/') + 1);
}
/** Everything before the last `/`, or '' for a top-level name. */
function dirname(path) {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? '' : path.slice(0, slash);
}

;// CONCATENATED MODULE: ./src/sbom/distro.ts

/** The os-release files, in the order systemd reads them (`etc/` wins over `usr/lib/`). */
const osReleasePaths = ['etc/os-release', 'usr/lib/os-release'];
/** Parses an os-release file; undefined when it names no `ID`. */
function parseOsRelease(text) {
    const values = parseKeyValues(text);
    const id = values.get('ID')?.toLowerCase();
    if (!id)
        return undefined;
    const distro = { id };
    const versionId = values.get('VERSION_ID');
    if (versionId)
        distro.versionId = versionId;
    const prettyName = values.get('PRETTY_NAME');
    if (prettyName)
        distro.prettyName = prettyName;
    return distro;
}
/** The purl `distro` qualifier: `debian-12`, `alpine-3.20.3`, or the bare id on rolling releases. */
function distroQualifier(distro) {
    if (!distro)
        return undefined;
    return distro.versionId ? `${distro.id}-${distro.versionId}` : distro.id;
}

// EXTERNAL MODULE: ./src/sbom/purl.ts
var purl = __nccwpck_require__(74468);
;// CONCATENATED MODULE: ./src/sbom/catalogers/apk.ts


const installedPath = /^lib\/apk\/db\/installed$/;
/**
 * Records of apk's installed database: blank-line separated, one `X:value` field a line
 * (P name, V version, A arch, L licence, o origin; file lists R/F/Z are repeated and ignored).
 */
function parseApkInstalled(text) {
    const records = [];
    let current = new Map();
    for (const line of text.split('\n')) {
        if (line.trim() === '') {
            if (current.size > 0)
                records.push(current);
            current = new Map();
            continue;
        }
        if (line[1] !== ':')
            continue;
        const key = line[0];
        // The first value of a key wins: the per-file keys (R, Z, a, M) repeat.
        if (!current.has(key))
            current.set(key, line.slice(2).trim());
    }
    if (current.size > 0)
        records.push(current);
    return records;
}
/** Alpine, Wolfi and Chainguard packages from `lib/apk/db/installed`. */
const apkCataloger = {
    name: 'apk',
    reads: 'whole',
    wants: path => installedPath.test(path),
    async catalog(files, context) {
        const namespace = context.distro?.id ?? 'alpine';
        const distro = distroQualifier(context.distro);
        const packages = [];
        for (const file of files) {
            const text = (await file.read()).toString('utf8');
            for (const record of parseApkInstalled(text)) {
                const name = record.get('P');
                const version = record.get('V');
                if (!name || !version)
                    continue;
                const origin = record.get('o');
                const license = record.get('L');
                packages.push({
                    type: 'apk',
                    name,
                    version,
                    purl: (0,purl/* purl */.EV)({
                        type: 'apk',
                        namespace,
                        name: name.toLowerCase(),
                        version,
                        qualifiers: {
                            arch: record.get('A'),
                            distro,
                            upstream: origin && origin !== name ? origin : undefined
                        }
                    }),
                    ...(license ? { licenses: [license] } : {}),
                    locations: [{ layer: file.layer ?? context.layer, path: file.path }]
                });
            }
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/catalogers/dpkg.ts



const statusPath = /^var\/lib\/dpkg\/status$/;
/** distroless writes one file per package (and `<name>.md5sums` beside it) instead of `status`. */
const statusDPath = /^var\/lib\/dpkg\/status\.d\/[^/]+$/;
const copyrightPath = /^usr\/share\/doc\/([^/]+)\/copyright$/;
/** dpkg's `Status` words for a package whose files are no longer there. */
const absent = new Set(['not-installed', 'config-files']);
/**
 * Licences from a machine-readable (DEP-5) copyright file: every `License:` field's short name,
 * in order of first appearance. Other copyright files name no licence in a way a reader can trust.
 */
function copyrightLicenses(text) {
    const out = [];
    for (const match of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) {
        const name = match[1].trim();
        if (name && !out.includes(name))
            out.push(name);
    }
    return out;
}
function wanted(path) {
    if (statusPath.test(path) || copyrightPath.test(path))
        return true;
    return statusDPath.test(path) && !basename(path).endsWith('.md5sums');
}
/** Debian packages from `var/lib/dpkg/status` or distroless's `var/lib/dpkg/status.d/*`. */
const dpkgCataloger = {
    name: 'dpkg',
    reads: 'whole',
    wants: wanted,
    async catalog(files, context) {
        const licenses = new Map();
        for (const file of files) {
            const match = copyrightPath.exec(file.path);
            if (!match)
                continue;
            const found = copyrightLicenses((await file.read()).toString('utf8'));
            if (found.length > 0)
                licenses.set(match[1], found);
        }
        const namespace = context.distro?.id ?? 'debian';
        const distro = distroQualifier(context.distro);
        const packages = [];
        for (const file of files) {
            if (copyrightPath.test(file.path))
                continue;
            const text = (await file.read()).toString('utf8');
            for (const paragraph of parseParagraphs(text)) {
                const name = field(paragraph, 'Package');
                const version = field(paragraph, 'Version');
                if (!name || !version)
                    continue;
                const status = field(paragraph, 'Status')?.split(/\s+/);
                if (status && absent.has(status[status.length - 1]))
                    continue;
                const arch = field(paragraph, 'Architecture');
                // `Source: glibc` or `Source: glibc (2.36-9)` when the source version differs.
                const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(field(paragraph, 'Source') ?? '');
                let upstream;
                if (source && (source[1] !== name || source[2])) {
                    upstream = source[2] ? `${source[1]}@${source[2]}` : source[1];
                }
                const declared = licenses.get(name);
                packages.push({
                    type: 'deb',
                    name,
                    version,
                    purl: (0,purl/* purl */.EV)({
                        type: 'deb',
                        namespace,
                        name: name.toLowerCase(),
                        version,
                        qualifiers: { arch, distro, upstream }
                    }),
                    ...(declared ? { licenses: declared } : {}),
                    locations: [{ layer: file.layer ?? context.layer, path: file.path }]
                });
            }
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/elf.ts
/** The first offset in [start, end) of `data` (which starts at `base`) where `needle` is, at a multiple of `align`. */
function findAligned(data, base, needle, start, end, align) {
    let i = Math.max(start, base) - base;
    const stop = Math.min(end, base + data.length) - base;
    while (i < stop) {
        const at = data.indexOf(needle, i);
        if (at < 0 || at + needle.length > stop)
            return -1;
        if ((base + at) % align === 0)
            return base + at;
        i = at + 1;
    }
    return -1;
}
/** A whole file in memory. */
function bufferSource(buf) {
    return {
        size: buf.length,
        read: (offset, length) => offset >= 0 && offset < buf.length
            ? buf.subarray(offset, Math.min(buf.length, offset + length))
            : undefined,
        find: (needle, start, end, align) => findAligned(buf, 0, needle, start, end, align)
    };
}
/** The parts of a file that were kept, each at its offset. */
function sparseSource(size, ranges) {
    return {
        size,
        read(offset, length) {
            let best;
            for (const r of ranges) {
                if (offset < r.start || offset >= r.start + r.data.length)
                    continue;
                const slice = r.data.subarray(offset - r.start, Math.min(r.data.length, offset - r.start + length));
                if (!best || slice.length > best.length)
                    best = slice;
            }
            return best;
        },
        find(needle, start, end, align) {
            let found = -1;
            for (const r of ranges) {
                const at = findAligned(r.data, r.start, needle, start, end, align);
                if (at >= 0 && (found < 0 || at < found))
                    found = at;
            }
            return found;
        }
    };
}
const ptLoad = 1;
const pfWrite = 2;
const shtNobits = 8;
const goBuildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1');
/** How much of the Go build info is read: its header and the module list after it. */
const goBuildInfoRead = 1024 * 1024;
/**
 * The largest section header table read (4 MiB): 65,535 entries of a 64-bit file's 64 bytes fit,
 * and a header claiming more (up to 4 GiB) is not an executable this reader takes.
 */
const maxSectionTable = 4 * 1024 * 1024;
/**
 * Whether the tables a header describes can be read: entries at least as large as the structures
 * read from them, and a section header table within `maxSectionTable`.
 */
function tablesReadable(h) {
    if (h.phnum > 0 && h.phentsize < (h.is64 ? 56 : 32))
        return false;
    if (h.shnum === 0)
        return true;
    return (h.shentsize >= (h.is64 ? 64 : 40) &&
        h.shnum * h.shentsize <= maxSectionTable);
}
/**
 * Parses the ELF header, or undefined for anything else, and for a header whose tables cannot be
 * read (entries smaller than their structure, an oversized section header table).
 */
function elfHeader(b) {
    if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46)
        return undefined;
    const is64 = b[4] === 2;
    const littleEndian = b[5] === 1;
    if ((!is64 && b[4] !== 1) || (!littleEndian && b[5] !== 2))
        return undefined;
    if (is64 && b.length < 64)
        return undefined;
    const u16 = (o) => littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o);
    const u32 = (o) => littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o);
    const u64 = (o) => Number(littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const h = is64
        ? {
            is64,
            littleEndian,
            phoff: u64(32),
            shoff: u64(40),
            phentsize: u16(54),
            phnum: u16(56),
            shentsize: u16(58),
            shnum: u16(60),
            shstrndx: u16(62)
        }
        : {
            is64,
            littleEndian,
            phoff: u32(28),
            shoff: u32(32),
            phentsize: u16(42),
            phnum: u16(44),
            shentsize: u16(46),
            shnum: u16(48),
            shstrndx: u16(50)
        };
    return tablesReadable(h) ? h : undefined;
}
function reader(b, littleEndian) {
    return {
        u32: (o) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o)),
        u64: (o) => littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)
    };
}
/** Program headers (segments) from their table. */
function elfSegments(h, table) {
    const segments = [];
    for (let i = 0; i < h.phnum; i++) {
        const o = i * h.phentsize;
        if (o + (h.is64 ? 56 : 32) > table.length)
            break;
        const r = reader(table, h.littleEndian);
        segments.push(h.is64
            ? {
                type: r.u32(o),
                flags: r.u32(o + 4),
                offset: Number(r.u64(o + 8)),
                vaddr: r.u64(o + 16),
                filesz: Number(r.u64(o + 32))
            }
            : {
                type: r.u32(o),
                offset: r.u32(o + 4),
                vaddr: BigInt(r.u32(o + 8)),
                filesz: r.u32(o + 16),
                flags: r.u32(o + 24)
            });
    }
    return segments;
}
function elfSections(h, src) {
    if (h.shoff === 0 || h.shnum === 0)
        return undefined;
    const table = src.read(h.shoff, h.shnum * h.shentsize);
    if (!table || table.length < h.shnum * h.shentsize)
        return undefined;
    const r = reader(table, h.littleEndian);
    const raw = [];
    for (let i = 0; i < h.shnum; i++) {
        const o = i * h.shentsize;
        raw.push(h.is64
            ? {
                nameOffset: r.u32(o),
                type: r.u32(o + 4),
                offset: Number(r.u64(o + 24)),
                size: Number(r.u64(o + 32))
            }
            : {
                nameOffset: r.u32(o),
                type: r.u32(o + 4),
                offset: r.u32(o + 16),
                size: r.u32(o + 20)
            });
    }
    const strtab = raw[h.shstrndx];
    const names = strtab ? src.read(strtab.offset, strtab.size) : undefined;
    if (!names)
        return undefined;
    return raw.map(s => {
        const end = names.indexOf(0, s.nameOffset);
        return {
            name: names.toString('latin1', s.nameOffset, end < 0 ? names.length : end),
            type: s.type,
            offset: s.offset,
            size: s.size
        };
    });
}
/** The sections the binary catalogers look up by name. */
const catalogedSections = ['.go.buildinfo', '.dep-v0'];
/**
 * Where what the catalogers read through sections lies in the file: the section header table,
 * the section names, and `catalogedSections` (`.go.buildinfo` with the bytes Go's reader takes
 * past its end). Empty when `src` is not ELF.
 */
function sectionSpans(src) {
    const head = src.read(0, 64);
    const h = head && elfHeader(head);
    if (!h || h.shoff === 0 || h.shnum === 0)
        return [];
    const spans = [
        { start: h.shoff, end: h.shoff + h.shnum * h.shentsize }
    ];
    const sections = elfSections(h, src);
    const strtab = sections?.[h.shstrndx];
    if (strtab)
        spans.push({ start: strtab.offset, end: strtab.offset + strtab.size });
    for (const s of sections ?? []) {
        if (s.type === shtNobits)
            continue;
        if (!catalogedSections.includes(s.name))
            continue;
        const length = s.name === '.go.buildinfo' ? Math.max(s.size, goBuildInfoRead) : s.size;
        spans.push({ start: s.offset, end: s.offset + length });
    }
    return spans;
}
/** An ElfView over whatever parts of an ELF file `src` holds; undefined when it is not ELF. */
function parseElf(src) {
    const head = src.read(0, 64);
    const h = head && elfHeader(head);
    if (!h)
        return undefined;
    const table = src.read(h.phoff, h.phnum * h.phentsize);
    const segments = table ? elfSegments(h, table) : [];
    let sections = null;
    const section = (name) => {
        if (sections === null)
            sections = elfSections(h, src);
        return sections?.find(s => s.name === name);
    };
    return {
        is64: h.is64,
        littleEndian: h.littleEndian,
        section(name) {
            const s = section(name);
            if (!s || s.type === shtNobits)
                return undefined;
            const data = src.read(s.offset, s.size);
            return data && data.length === s.size ? data : undefined;
        },
        goBuildInfo() {
            const s = section('.go.buildinfo');
            // The strings of the ≥1.18 format follow the header inside the section; read on past its
            // end anyway, as Go's reader does, in case a linker sized the section short.
            if (s && s.type !== shtNobits) {
                const data = src.read(s.offset, Math.max(s.size, goBuildInfoRead));
                if (data && data.subarray(0, 14).equals(goBuildInfoMagic))
                    return data;
            }
            for (const seg of segments) {
                if (seg.type !== ptLoad || !(seg.flags & pfWrite))
                    continue;
                const at = src.find(goBuildInfoMagic, seg.offset, seg.offset + seg.filesz, 16);
                if (at >= 0)
                    return src.read(at, goBuildInfoRead);
            }
            return undefined;
        },
        readAddress(address, length) {
            for (const seg of segments) {
                if (seg.type !== ptLoad)
                    continue;
                const delta = address - seg.vaddr;
                if (delta < 0n || delta + BigInt(length) > BigInt(seg.filesz))
                    continue;
                const data = src.read(seg.offset + Number(delta), length);
                return data && data.length === length ? data : undefined;
            }
            return undefined;
        }
    };
}
/** The ELF view of a file: what the scanner kept, or a parse of the whole content. */
async function readElf(file) {
    if (file.elf)
        return file.elf();
    return parseElf(bufferSource(await file.read()));
}

;// CONCATENATED MODULE: ./src/sbom/catalogers/go.ts


function uvarint(buf, at) {
    let value = 0;
    let shift = 0;
    for (let i = at; i < buf.length && i < at + 10; i++) {
        value += (buf[i] & 0x7f) * 2 ** shift;
        if (buf[i] < 0x80)
            return [value, i + 1];
        shift += 7;
    }
    return undefined;
}
/**
 * The two strings of a build-info blob: the Go version and the module information. Go ≥ 1.18
 * writes them inline after the 32-byte header (flag bit 2); older versions store pointers to
 * string headers, which need the rest of the file (`readAddress`).
 */
function goBuildInfoStrings(elf) {
    const blob = elf.goBuildInfo();
    if (!blob || blob.length < 32)
        return undefined;
    const ptrSize = blob[14];
    const flags = blob[15];
    if (flags & 0x2) {
        const vlen = uvarint(blob, 32);
        if (!vlen || vlen[1] + vlen[0] > blob.length)
            return undefined;
        const version = blob.toString('utf8', vlen[1], vlen[1] + vlen[0]);
        const mlen = uvarint(blob, vlen[1] + vlen[0]);
        if (!mlen || mlen[1] + mlen[0] > blob.length)
            return undefined;
        return {
            version,
            modinfo: blob.toString('utf8', mlen[1], mlen[1] + mlen[0])
        };
    }
    if (ptrSize !== 4 && ptrSize !== 8)
        return undefined;
    const bigEndian = flags !== 0;
    const readPtr = (b, at) => ptrSize === 8
        ? bigEndian
            ? b.readBigUInt64BE(at)
            : b.readBigUInt64LE(at)
        : BigInt(bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at));
    const readString = (address) => {
        const header = elf.readAddress(address, 2 * ptrSize);
        if (!header)
            return undefined;
        const length = Number(readPtr(header, ptrSize));
        if (length === 0)
            return '';
        if (length > 1024 * 1024)
            return undefined;
        return elf.readAddress(readPtr(header, 0), length)?.toString('utf8');
    };
    const version = readString(readPtr(blob, 16));
    const modinfo = readString(readPtr(blob, 16 + ptrSize));
    if (version === undefined || modinfo === undefined)
        return undefined;
    return { version, modinfo };
}
/** Parses the text of `runtime/debug.BuildInfo` as the linker embeds it (sentinels included or not). */
function parseGoModinfo(goVersion, modinfo) {
    // The linker wraps the text in 16-byte sentinels; Go strips them the same way.
    if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n')
        modinfo = modinfo.slice(16, -16);
    const info = { goVersion, deps: [] };
    let last;
    for (const line of modinfo.split('\n')) {
        const [kind, path, version = '', sum] = line.split('\t');
        if (kind === 'path')
            info.path = path;
        else if (kind === 'mod' || kind === 'dep') {
            last = { path, version, ...(sum ? { sum } : {}) };
            if (kind === 'mod')
                info.main = last;
            else
                info.deps.push(last);
        }
        else if (kind === '=>' && last) {
            last.replace = { path, version, ...(sum ? { sum } : {}) };
        }
    }
    return info;
}
/** The build info of a Go executable, or undefined for other files. */
function readGoBuildInfo(elf) {
    const strings = goBuildInfoStrings(elf);
    if (!strings)
        return undefined;
    return parseGoModinfo(strings.version, strings.modinfo);
}
/** Packages of a build: the standard library, the main module and every dependency (as replaced). */
function goPackages(info, location) {
    const packages = [];
    const add = (name, version) => packages.push({
        type: 'golang',
        name,
        version,
        purl: (0,purl/* golangPurl */.av)(name, version),
        locations: [location]
    });
    // `go1.22.1` or `go1.22.1 X:boringcrypto`: the toolchain is the standard library's version.
    const goVersion = /^go(\d[^\s]*)/.exec(info.goVersion)?.[1];
    if (goVersion)
        add('stdlib', goVersion);
    const modules = info.main ? [info.main, ...info.deps] : info.deps;
    for (const mod of modules) {
        // A replacement by another module is what was built; a local directory (no version) is not a module.
        const effective = mod.replace?.version ? mod.replace : mod;
        if (!effective.path || !effective.version)
            continue;
        add(effective.path, effective.version);
    }
    return packages;
}
/** Go executables: the module build information every `go build` in module mode embeds. */
const goCataloger = {
    name: 'go',
    reads: 'elf',
    wants: (_path, mode) => (mode & 0o111) !== 0,
    async catalog(files, context) {
        const packages = [];
        for (const file of files) {
            // One unreadable executable is reported and skipped; the others are still read.
            let info;
            try {
                const elf = await readElf(file);
                info = elf && readGoBuildInfo(elf);
            }
            catch (err) {
                context.warn(`${file.path}: ${err.message}`);
                continue;
            }
            if (!info)
                continue;
            packages.push(...goPackages(info, {
                layer: file.layer ?? context.layer,
                path: file.path
            }));
        }
        return packages;
    }
};

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(38522);
;// CONCATENATED MODULE: ./src/sbom/zip.ts

/**
 * What reading one archive may cost, nested archives included: entries listed, and bytes
 * inflated. One budget is shared by a top-level archive and every archive inside it, so a small
 * jar cannot make the reader inflate gigabytes (a zip bomb).
 */
class ZipBudget {
    limits;
    entries;
    inflated;
    /** Set once a limit was reached: the archive is read no further. */
    exhausted = false;
    constructor(limits = defaultZipLimits) {
        this.limits = limits;
        this.entries = limits.entries;
        this.inflated = limits.inflated;
    }
}
/** 500,000 entries and 256 MiB inflated per top-level archive: a large war fits in either. */
const defaultZipLimits = {
    entries: 500_000,
    inflated: 256 * 1024 * 1024
};
/** A budget was used up: the rest of the archive is not read. */
class ZipBudgetExceeded extends Error {
}
const eocdSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const zip64EocdSignature = 0x06064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
function findEocd(buf) {
    // The end record is 22 bytes plus a comment of at most 65,535.
    const stop = Math.max(0, buf.length - 22 - 0xffff);
    for (let i = buf.length - 22; i >= stop; i--) {
        if (buf.readUInt32LE(i) === eocdSignature)
            return i;
    }
    return -1;
}
/**
 * Throws when two entries' local records (header, name, extra field and data) share bytes: no
 * writer makes such an archive, and it lets a small one inflate the same data many times.
 */
function checkOverlaps(buf, entries) {
    const spans = entries.map(entry => {
        const p = entry.localOffset;
        const header = p >= 0 && p + 30 <= buf.length && buf.readUInt32LE(p) === localSignature
            ? 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28)
            : 30;
        return { entry, start: p, end: p + header + entry.compressedSize };
    });
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
        const [before, after] = [spans[i - 1], spans[i]];
        if (after.start < before.end)
            throw new Error(after.start === before.start
                ? `ZIP entries ${before.entry.name} and ${after.entry.name} have the same local header (offset ${after.start}): not read`
                : `ZIP entries ${before.entry.name} and ${after.entry.name} overlap (offset ${after.start}): not read`);
    }
}
/**
 * Lists a ZIP archive (a jar) from its central directory: the minimum a cataloger needs, with
 * ZIP64 sizes and offsets, and archives that carry a prefix (self-executing jars). Throws on
 * anything that is not a readable archive, on entries whose data overlap, and when its entries
 * are more than `budget` has left.
 */
function listZip(buf, budget = new ZipBudget()) {
    const eocd = findEocd(buf);
    if (eocd < 0)
        throw new Error('no ZIP end-of-central-directory record');
    let count = buf.readUInt16LE(eocd + 10);
    let cdSize = buf.readUInt32LE(eocd + 12);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    let cdEnd = eocd;
    if (eocd >= 20 &&
        buf.readUInt32LE(eocd - 20) === zip64LocatorSignature &&
        (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)) {
        const record = Number(buf.readBigUInt64LE(eocd - 20 + 8));
        // The locator's offset is relative to the archive start; find the record by its signature.
        const at = record < buf.length && buf.readUInt32LE(record) === zip64EocdSignature
            ? record
            : buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]), eocd - 20);
        if (at < 0)
            throw new Error('ZIP64 end record not found');
        count = Number(buf.readBigUInt64LE(at + 32));
        cdSize = Number(buf.readBigUInt64LE(at + 40));
        cdOffset = Number(buf.readBigUInt64LE(at + 48));
        cdEnd = at;
    }
    if (count > budget.entries) {
        budget.exhausted = true;
        throw new ZipBudgetExceeded(`${count} entries: over the ${budget.limits.entries} entries read per archive (nested ones included)`);
    }
    budget.entries -= count;
    // Bytes in front of the archive shift every offset by the same amount.
    const shift = cdEnd - (cdOffset + cdSize);
    let p = cdOffset + shift;
    const entries = [];
    for (let i = 0; i < count; i++) {
        if (p + 46 > buf.length || buf.readUInt32LE(p) !== centralSignature)
            throw new Error(`ZIP central directory entry ${i} is damaged`);
        const flags = buf.readUInt16LE(p + 8);
        const method = buf.readUInt16LE(p + 10);
        let compressedSize = buf.readUInt32LE(p + 20);
        let size = buf.readUInt32LE(p + 24);
        const nameLength = buf.readUInt16LE(p + 28);
        const extraLength = buf.readUInt16LE(p + 30);
        const commentLength = buf.readUInt16LE(p + 32);
        let localOffset = buf.readUInt32LE(p + 42);
        const name = buf
            .subarray(p + 46, p + 46 + nameLength)
            .toString(flags & 0x800 ? 'utf8' : 'latin1');
        // ZIP64 extra field: the 64-bit values follow in this order, only for fields set to all ones.
        let e = p + 46 + nameLength;
        const extraEnd = e + extraLength;
        while (e + 4 <= extraEnd) {
            const id = buf.readUInt16LE(e);
            const length = buf.readUInt16LE(e + 2);
            if (id === 0x0001) {
                let q = e + 4;
                if (size === 0xffffffff) {
                    size = Number(buf.readBigUInt64LE(q));
                    q += 8;
                }
                if (compressedSize === 0xffffffff) {
                    compressedSize = Number(buf.readBigUInt64LE(q));
                    q += 8;
                }
                if (localOffset === 0xffffffff)
                    localOffset = Number(buf.readBigUInt64LE(q));
            }
            e += 4 + length;
        }
        entries.push({
            name,
            method,
            compressedSize,
            size,
            localOffset: localOffset + shift
        });
        p = extraEnd + commentLength;
    }
    checkOverlaps(buf, entries);
    return entries;
}
/**
 * The content of one entry (stored or deflated), refusing more than `limit` bytes; what is
 * inflated is taken from `budget`, and never more than it has left.
 */
function readZipEntry(buf, entry, limit, budget = new ZipBudget()) {
    const p = entry.localOffset;
    if (p < 0 || p + 30 > buf.length || buf.readUInt32LE(p) !== localSignature)
        throw new Error(`${entry.name}: local header not found`);
    const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
    const data = buf.subarray(start, start + entry.compressedSize);
    if (entry.size > limit)
        throw new Error(`${entry.name}: ${entry.size} bytes is over ${limit}`);
    if (entry.method === 0)
        return data;
    if (entry.method !== 8)
        throw new Error(`${entry.name}: compression method ${entry.method}`);
    const exceeded = () => {
        budget.exhausted = true;
        return new ZipBudgetExceeded(`${entry.name}: over the ${budget.limits.inflated} bytes inflated per archive (nested ones included)`);
    };
    if (entry.size > budget.inflated)
        throw exceeded();
    // The declared size may lie: inflating stops at what the limit and the budget allow.
    const allowed = Math.min(limit, budget.inflated);
    let out;
    try {
        out = (0,external_node_zlib_.inflateRawSync)(data, { maxOutputLength: Math.max(1, allowed) });
    }
    catch (error) {
        if (error.code !== 'ERR_BUFFER_TOO_LARGE')
            throw error;
        budget.inflated -= allowed;
        if (allowed < limit)
            throw exceeded();
        throw new Error(`${entry.name}: inflates to more than ${limit} bytes`);
    }
    budget.inflated -= out.length;
    return out;
}

;// CONCATENATED MODULE: ./src/sbom/catalogers/java.ts



const archivePath = /\.(jar|war|ear|jpi|hpi)$/i;
const pomProperties = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;
/** A jar inside a jar (Spring Boot's BOOT-INF/lib, a war's WEB-INF/lib, …) is read up to this size. */
const nestedLimit = 32 * 1024 * 1024;
const maxDepth = 3;
/** `Bundle-License` of the main section of a manifest, without OSGi attributes (`;link=…`). */
function bundleLicense(manifest) {
    const unwrapped = manifest.replace(/\r?\n /g, '');
    const main = unwrapped.split(/\r?\n\r?\n/)[0];
    const match = /^Bundle-License:[ \t]*(.+)$/m.exec(main);
    const value = match?.[1].split(';')[0].trim();
    return value || undefined;
}
function catalogArchive(buf, path, layer, depth, context, out, budget) {
    let entries;
    try {
        entries = listZip(buf, budget);
    }
    catch (err) {
        context.warn(`${path}: ${err.message}`);
        return;
    }
    const found = [];
    let license;
    for (const entry of entries) {
        if (budget.exhausted)
            break;
        const match = pomProperties.exec(entry.name);
        try {
            if (match) {
                const props = parseKeyValues(readZipEntry(buf, entry, 1024 * 1024, budget).toString('utf8'), /\s*[=:]\s*|\s+/);
                const group = props.get('groupId') || match[1];
                const artifact = props.get('artifactId') || match[2];
                const version = props.get('version');
                if (!version)
                    continue;
                found.push({
                    type: 'maven',
                    name: artifact,
                    group,
                    version,
                    purl: (0,purl/* purl */.EV)({
                        type: 'maven',
                        namespace: group,
                        name: artifact,
                        version
                    }),
                    locations: [{ layer, path }]
                });
            }
            else if (entry.name === 'META-INF/MANIFEST.MF') {
                license = bundleLicense(readZipEntry(buf, entry, 1024 * 1024, budget).toString('utf8'));
            }
            else if (archivePath.test(entry.name) && depth < maxDepth) {
                catalogArchive(readZipEntry(buf, entry, nestedLimit, budget), `${path}:${entry.name}`, layer, depth + 1, context, out, budget);
            }
        }
        catch (err) {
            const what = `${path}:${entry.name}`;
            context.warn(err instanceof ZipBudgetExceeded
                ? `${what}: ${err.message}; the rest of the archive is not read`
                : `${what}: ${err.message}`);
        }
    }
    // The manifest speaks for the jar: only trust it for a jar that is one artifact, not a shaded mix.
    if (license && found.length === 1)
        found[0].licenses = [license];
    out.push(...found);
}
/**
 * The Maven artifacts of one archive (a jar, war, ear…) and the archives inside it, up to three
 * levels deep, all within one `budget` of entries and inflated bytes.
 */
function archivePackages(buf, path, layer, context, budget = new ZipBudget()) {
    const out = [];
    catalogArchive(buf, path, layer, 0, context, out, budget);
    return out;
}
/** Maven artifacts from the `pom.properties` Maven writes into every jar it builds, nested jars included. */
const javaCataloger = {
    name: 'java',
    reads: 'whole',
    wants: path => archivePath.test(path),
    async catalog(files, context) {
        const packages = [];
        for (const file of files) {
            packages.push(...archivePackages(await file.read(), file.path, file.layer ?? context.layer, context));
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/catalogers/npm.ts


/** An installed package's manifest: `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
const manifestPath = /(^|\/)node_modules\/(@[^/]+\/)?[^/.@][^/]*\/package\.json$/;
/** An application's lockfile (not one shipped inside a dependency). */
const lockPath = /(^|\/)(package-lock|npm-shrinkwrap)\.json$/;
function npm_wanted(path) {
    if (manifestPath.test(path))
        return true;
    return lockPath.test(path) && !/(^|\/)node_modules\//.test(path);
}
/** The declared licence of a manifest or lockfile entry: `license`, or the legacy forms. */
function npmLicenses(manifest) {
    const one = (value) => {
        if (typeof value === 'string')
            return value.trim() || undefined;
        if (value && typeof value === 'object') {
            const type = value.type;
            return typeof type === 'string' ? type.trim() || undefined : undefined;
        }
        return undefined;
    };
    const license = one(manifest.license);
    if (license)
        return [license];
    const list = manifest.licenses;
    if (Array.isArray(list))
        return list.map(one).filter((l) => !!l);
    const single = one(list);
    return single ? [single] : [];
}
function parseJson(text, path, context) {
    try {
        const value = JSON.parse(text);
        if (value && typeof value === 'object' && !Array.isArray(value))
            return value;
    }
    catch (err) {
        context.warn(`${path}: not JSON (${err.message})`);
    }
    return undefined;
}
/**
 * npm packages from installed manifests under `node_modules`, and from lockfiles (v2/v3
 * `packages`) for what a lockfile lists but the image has no manifest for. From a lockfile, what
 * `npm ci --omit=dev` installs: `dev` entries are left out, and so are optional ones restricted
 * to an `os` or `cpu` (other platforms' builds, mostly).
 */
const npmCataloger = {
    name: 'npm',
    reads: 'whole',
    wants: npm_wanted,
    async catalog(files, context) {
        const packages = [];
        const manifests = new Set(files.filter(f => manifestPath.test(f.path)).map(f => f.path));
        for (const file of files) {
            const layer = file.layer ?? context.layer;
            const json = parseJson((await file.read()).toString('utf8'), file.path, context);
            if (!json)
                continue;
            if (manifestPath.test(file.path)) {
                const { name, version } = json;
                if (typeof name !== 'string' || typeof version !== 'string')
                    continue;
                if (!name || !version)
                    continue;
                const licenses = npmLicenses(json);
                packages.push({
                    type: 'npm',
                    name,
                    version,
                    purl: (0,purl/* npmPurl */.NP)(name, version),
                    ...(licenses.length > 0 ? { licenses } : {}),
                    locations: [{ layer, path: file.path }]
                });
                continue;
            }
            const entries = json.packages;
            if (!entries || typeof entries !== 'object') {
                if (json.dependencies)
                    context.warn(`${file.path}: lockfile v1 is not read`);
                continue;
            }
            const root = dirname(file.path);
            for (const [key, value] of Object.entries(entries)) {
                // '' is the project itself, other keys outside node_modules its workspaces.
                if (!key.includes('node_modules/'))
                    continue;
                if (!value || typeof value !== 'object')
                    continue;
                const entry = value;
                if (entry.link || entry.dev)
                    continue;
                // One platform's build among several: which one the image has, only its manifest tells.
                if ((entry.optional || entry.devOptional) && (entry.os || entry.cpu))
                    continue;
                const installed = `${root ? root + '/' : ''}${key}/package.json`;
                if (manifests.has(installed))
                    continue;
                const name = typeof entry.name === 'string'
                    ? entry.name
                    : key.slice(key.lastIndexOf('node_modules/') + 13);
                if (typeof entry.version !== 'string' || !entry.version || !name)
                    continue;
                const licenses = npmLicenses(entry);
                packages.push({
                    type: 'npm',
                    name,
                    version: entry.version,
                    purl: (0,purl/* npmPurl */.NP)(name, entry.version),
                    ...(licenses.length > 0 ? { licenses } : {}),
                    locations: [{ layer, path: file.path }]
                });
            }
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/catalogers/python.ts


/** Installed distributions: wheels' `*.dist-info/METADATA`, eggs' `*.egg-info/PKG-INFO` or a bare `*.egg-info` file. */
const metadataPath = /(^|\/)[^/]+\.(dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
/**
 * The declared licence of core metadata: `License-Expression` (PEP 639) when present; else a
 * one-line `License` (a multi-line one is the licence text, not a name); else the trove
 * classifiers' `License :: … :: Name`.
 */
function pythonLicenses(headers) {
    const expression = field(headers, 'License-Expression');
    if (expression)
        return [expression];
    const license = field(headers, 'License');
    if (license &&
        !license.includes('\n') &&
        license.length <= 120 &&
        !/^(unknown|none)$/i.test(license))
        return [license];
    return fieldAll(headers, 'Classifier')
        .filter(c => c.startsWith('License ::'))
        .map(c => c.split('::').pop().trim())
        .filter(name => name !== '' && name !== 'OSI Approved');
}
/** Python distributions installed by pip (wheels) or setuptools (eggs). */
const pythonCataloger = {
    name: 'python',
    reads: 'whole',
    wants: path => metadataPath.test(path),
    async catalog(files, context) {
        const packages = [];
        for (const file of files) {
            const [headers] = parseParagraphs((await file.read()).toString('utf8'), true);
            if (!headers)
                continue;
            const name = field(headers, 'Name');
            const version = field(headers, 'Version');
            if (!name || !version) {
                context.warn(`${file.path}: no Name or Version`);
                continue;
            }
            const licenses = pythonLicenses(headers);
            packages.push({
                type: 'pypi',
                name,
                version,
                purl: (0,purl/* pypiPurl */.iC)(name, version),
                ...(licenses.length > 0 ? { licenses } : {}),
                locations: [{ layer: file.layer ?? context.layer, path: file.path }]
            });
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/catalogers/rust.ts



/** cargo-auditable's advice: legitimate audit data fits well within 8 MiB once inflated. */
const maxAuditData = 8 * 1024 * 1024;
/** The dependency list cargo-auditable embeds in `.dep-v0`: zlib-compressed JSON `{"packages": […]}`. */
function readAuditData(elf) {
    const section = elf.section('.dep-v0');
    if (!section)
        return undefined;
    const json = JSON.parse((0,external_node_zlib_.inflateSync)(section, { maxOutputLength: maxAuditData }).toString('utf8'));
    const packages = json.packages;
    if (!Array.isArray(packages))
        throw new Error('.dep-v0 has no packages');
    return packages.filter((p) => !!p &&
        typeof p.name === 'string' &&
        typeof p.version === 'string' &&
        typeof p.source === 'string');
}
/**
 * Rust executables built with cargo-auditable: every crate compiled into the binary. Build-time
 * crates (build scripts, proc-macros: `kind: "build"`) are not in the executable and are left out.
 */
const rustCataloger = {
    name: 'rust',
    reads: 'elf',
    wants: (_path, mode) => (mode & 0o111) !== 0,
    async catalog(files, context) {
        const packages = [];
        for (const file of files) {
            // One unreadable executable is reported and skipped; the others are still read.
            let elf;
            try {
                elf = await readElf(file);
            }
            catch (err) {
                context.warn(`${file.path}: ${err.message}`);
                continue;
            }
            if (!elf)
                continue;
            let crates;
            try {
                crates = readAuditData(elf);
            }
            catch (err) {
                context.warn(`${file.path}: .dep-v0: ${err.message}`);
                continue;
            }
            for (const crate of crates ?? []) {
                if (crate.kind === 'build')
                    continue;
                packages.push({
                    type: 'cargo',
                    name: crate.name,
                    version: crate.version,
                    purl: (0,purl/* purl */.EV)({
                        type: 'cargo',
                        name: crate.name,
                        version: crate.version
                    }),
                    locations: [{ layer: file.layer ?? context.layer, path: file.path }]
                });
            }
        }
        return packages;
    }
};

;// CONCATENATED MODULE: ./src/sbom/catalog.ts








/** Every cataloger, OS package databases first. */
const defaultCatalogers = [
    dpkgCataloger,
    apkCataloger,
    npmCataloger,
    pythonCataloger,
    javaCataloger,
    goCataloger,
    rustCataloger
];
/**
 * How a scanner should read the file at `path` (no leading slash) with permission bits `mode`:
 * `whole`, `elf` (only the parts binary catalogers need), or undefined when nothing reads it.
 * os-release files are read whole too: they name the distribution of OS packages.
 */
function readMode(path, mode, catalogers = defaultCatalogers) {
    if (osReleasePaths.includes(path))
        return 'whole';
    let elf = false;
    for (const c of catalogers) {
        if (!c.wants(path, mode))
            continue;
        if (c.reads === 'whole')
            return 'whole';
        elf = true;
    }
    return elf ? 'elf' : undefined;
}
function compareLocations(a, b) {
    return a.path < b.path
        ? -1
        : a.path > b.path
            ? 1
            : a.layer < b.layer
                ? -1
                : a.layer > b.layer
                    ? 1
                    : 0;
}
/** Merges packages with the same purl (the same package found in several places) and sorts. */
function mergePackages(packages) {
    const byPurl = new Map();
    for (const p of packages) {
        const seen = byPurl.get(p.purl);
        if (!seen) {
            byPurl.set(p.purl, {
                ...p,
                ...(p.licenses ? { licenses: [...p.licenses] } : {}),
                locations: [...p.locations]
            });
            continue;
        }
        for (const l of p.locations) {
            if (!seen.locations.some(s => s.layer === l.layer && s.path === l.path))
                seen.locations.push(l);
        }
        for (const l of p.licenses ?? []) {
            seen.licenses ??= [];
            if (!seen.licenses.includes(l))
                seen.licenses.push(l);
        }
    }
    const merged = [...byPurl.values()];
    for (const p of merged)
        p.locations.sort(compareLocations);
    return merged.sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
}
/**
 * Finds the packages in a set of files (one layer's, or an image's merged view): each cataloger
 * gets the files it wants. A cataloger that fails is run again file by file, and the files that
 * still fail are reported through `warn` and skipped.
 */
async function catalog_catalog(files, options = {}) {
    const warn = options.warn ?? (() => { });
    const layer = options.layer ?? '';
    let distro = options.distro;
    if (!distro) {
        for (const path of osReleasePaths) {
            const file = files.find(f => f.path === path);
            if (!file)
                continue;
            try {
                distro = parseOsRelease((await file.read()).toString('utf8'));
            }
            catch (err) {
                warn(`${path}: ${err.message}`);
            }
            if (distro)
                break;
        }
    }
    const found = [];
    for (const cataloger of options.catalogers ?? defaultCatalogers) {
        const mine = files.filter(f => cataloger.wants(f.path, f.mode ?? 0o644));
        if (mine.length === 0)
            continue;
        const context = { distro, layer, warn };
        try {
            found.push(...(await cataloger.catalog(mine, context)));
        }
        catch (err) {
            if (mine.length === 1) {
                warn(`${cataloger.name} cataloger: ${mine[0].path}: ${err.message}`);
                continue;
            }
            // One file it could not read must not hide the others: each file on its own, and only the
            // ones that fail are left out (and named).
            for (const file of mine) {
                try {
                    found.push(...(await cataloger.catalog([file], context)));
                }
                catch (err) {
                    warn(`${cataloger.name} cataloger: ${file.path}: ${err.message}`);
                }
            }
        }
    }
    return { packages: mergePackages(found), ...(distro ? { distro } : {}) };
}

// EXTERNAL MODULE: ./src/sbom/statement.ts
var statement = __nccwpck_require__(70528);
;// CONCATENATED MODULE: ./src/sbom/elf-collector.ts

const defaultElfLimits = {
    goBytes: 1024 * 1024,
    tailHead: 4 * 1024 * 1024,
    tailEnd: 4 * 1024 * 1024
};
/**
 * Reads an executable as a stream and keeps only what the binary catalogers need: the ELF and
 * program headers, the Go build info (searched for in the writable segments, as Go's own
 * debug/buildinfo does), and the bounded start and end of the part after the loaded segments,
 * where non-allocated sections such as cargo-auditable's `.dep-v0` and the section header
 * table live. Memory stays within the limits whatever the file's size.
 */
class ElfCollector {
    size;
    limits;
    pos = 0;
    dead = false;
    /** Bytes seen before the program headers could be parsed. */
    pending = [];
    head;
    header;
    writable = [];
    tailStart = Infinity;
    sht = { start: 0, end: 0 };
    shtParts = [];
    scan;
    go;
    tailHeadParts = [];
    tailHeadLength = 0;
    tailEndParts = [];
    tailEndLength = 0;
    /** Once finished: the bytes the view holds. */
    finishedBytes;
    constructor(size, limits = defaultElfLimits) {
        this.size = size;
        this.limits = limits;
    }
    push(chunk) {
        if (this.dead || chunk.length === 0)
            return;
        const start = this.pos;
        this.pos += chunk.length;
        if (this.head) {
            this.collect(start, chunk);
            return;
        }
        this.pending.push(chunk);
        const seen = Buffer.concat(this.pending);
        this.pending = [seen];
        if (!this.header) {
            if (seen.length >= 4 && seen.readUInt32BE(0) !== 0x7f454c46) {
                this.dead = true;
                this.pending = [];
                return;
            }
            if (seen.length < 64)
                return;
            this.header = elfHeader(seen);
            if (!this.header) {
                this.dead = true;
                this.pending = [];
                return;
            }
        }
        const h = this.header;
        // Program headers sit right after the ELF header in practice; far away, go without them.
        const phEnd = h.phoff + h.phnum * h.phentsize;
        const headEnd = phEnd <= 1024 * 1024 ? Math.max(64, phEnd) : 64;
        if (seen.length < headEnd)
            return;
        this.head = Buffer.from(seen.subarray(0, headEnd));
        this.pending = [];
        if (headEnd === phEnd) {
            const table = this.head.subarray(h.phoff, phEnd);
            let loadEnd = 0;
            for (const seg of elfSegments(h, table)) {
                if (seg.type !== ptLoad)
                    continue;
                loadEnd = Math.max(loadEnd, seg.offset + seg.filesz);
                if (seg.flags & pfWrite)
                    this.writable.push({
                        start: seg.offset,
                        end: seg.offset + seg.filesz
                    });
            }
            this.tailStart = loadEnd;
        }
        else {
            this.tailStart = headEnd;
        }
        this.sht = { start: h.shoff, end: h.shoff + h.shnum * h.shentsize };
        this.collect(0, seen);
    }
    collect(start, chunk) {
        const end = start + chunk.length;
        const slice = (a, b) => chunk.subarray(Math.max(a, start) - start, Math.min(b, end) - start);
        if (start < this.sht.end && end > this.sht.start)
            this.shtParts.push(slice(this.sht.start, this.sht.end));
        if (this.go) {
            const want = this.limits.goBytes - this.go.length;
            if (want > 0 && start === this.go.start + this.go.length) {
                const part = chunk.subarray(0, want);
                this.go.parts.push(part);
                this.go.length += part.length;
            }
        }
        else {
            for (const w of this.writable) {
                if (start >= w.end || end <= w.start)
                    continue;
                this.searchGo(Math.max(start, w.start), slice(w.start, w.end));
                if (this.go)
                    break;
            }
        }
        if (end > this.tailStart) {
            const tail = slice(this.tailStart, end);
            const tailPos = Math.max(start, this.tailStart);
            const headRoom = this.limits.tailHead - (tailPos - this.tailStart);
            if (headRoom > 0) {
                const part = tail.subarray(0, headRoom);
                this.tailHeadParts.push(part);
                this.tailHeadLength += part.length;
            }
            this.tailEndParts.push(tail);
            this.tailEndLength += tail.length;
            while (this.tailEndParts.length > 1 &&
                this.tailEndLength - this.tailEndParts[0].length >= this.limits.tailEnd) {
                this.tailEndLength -= this.tailEndParts.shift().length;
            }
        }
    }
    searchGo(start, data) {
        // Join the kept end of the previous piece when it is contiguous with this one.
        const window = this.scan && this.scan.start + this.scan.data.length === start
            ? {
                start: this.scan.start,
                data: Buffer.concat([this.scan.data, data])
            }
            : { start, data };
        const at = findAligned(window.data, window.start, goBuildInfoMagic, window.start, window.start + window.data.length, 16);
        if (at >= 0) {
            const part = Buffer.from(window.data.subarray(at - window.start, at - window.start + this.limits.goBytes));
            this.go = { start: at, parts: [part], length: part.length };
            this.scan = undefined;
            return;
        }
        // Keep just enough to find a magic that straddles this piece and the next.
        const keep = Math.min(window.data.length, goBuildInfoMagic.length + 15);
        this.scan = {
            start: window.start + window.data.length - keep,
            data: Buffer.from(window.data.subarray(window.data.length - keep))
        };
    }
    /** Bytes held now: the bound the limits promise, whatever the file's size; once finished, what the view holds. */
    get keptBytes() {
        if (this.finishedBytes !== undefined)
            return this.finishedBytes;
        const sum = (parts) => parts.reduce((n, b) => n + b.length, 0);
        return ((this.head?.length ?? 0) +
            sum(this.pending) +
            (this.go?.length ?? 0) +
            (this.scan?.data.length ?? 0) +
            this.tailHeadLength +
            this.tailEndLength +
            sum(this.shtParts));
    }
    /**
     * What was kept, as an ElfView; undefined for a file that is not ELF. Of the bounded parts kept
     * while streaming, only what the catalogers read stays: the headers, the Go build info, and the
     * section table, names and cataloged sections (a few kilobytes for most executables).
     */
    finish() {
        if (this.dead)
            return undefined;
        if (!this.head) {
            // A file shorter than its own headers claim: parse what there is.
            const whole = Buffer.concat(this.pending);
            this.pending = [];
            this.finishedBytes = whole.length;
            return parseElf(bufferSource(whole));
        }
        const ranges = [
            { start: 0, data: this.head }
        ];
        if (this.go)
            ranges.push({ start: this.go.start, data: Buffer.concat(this.go.parts) });
        if (this.tailHeadLength > 0)
            ranges.push({
                start: this.tailStart,
                data: Buffer.concat(this.tailHeadParts)
            });
        if (this.tailEndLength > 0)
            ranges.push({
                start: this.pos - this.tailEndLength,
                data: Buffer.concat(this.tailEndParts)
            });
        if (this.shtParts.length > 0)
            ranges.push({ start: this.sht.start, data: Buffer.concat(this.shtParts) });
        const size = Math.max(this.size, this.pos);
        const all = sparseSource(size, ranges);
        const wanted = [
            { start: 0, end: this.head.length },
            ...(this.go
                ? [{ start: this.go.start, end: this.go.start + this.go.length }]
                : []),
            ...sectionSpans(all)
        ];
        const kept = copySpans(all, ranges, wanted);
        this.head = undefined;
        this.go = undefined;
        this.tailHeadParts = this.tailEndParts = this.shtParts = [];
        this.tailHeadLength = this.tailEndLength = 0;
        this.finishedBytes = kept.reduce((n, r) => n + r.data.length, 0);
        return parseElf(sparseSource(size, kept));
    }
}
/** Copies of the bytes of `wanted` that `src` (made of `ranges`) holds, each byte once. */
function copySpans(src, ranges, wanted) {
    const merged = [];
    for (const w of [...wanted].sort((a, b) => a.start - b.start)) {
        const last = merged[merged.length - 1];
        if (last && w.start <= last.end)
            last.end = Math.max(last.end, w.end);
        else if (w.end > w.start)
            merged.push({ ...w });
    }
    const out = [];
    for (const span of merged) {
        let pos = span.start;
        while (pos < span.end) {
            const piece = src.read(pos, span.end - pos);
            if (piece && piece.length > 0) {
                out.push({ start: pos, data: Buffer.from(piece) });
                pos += piece.length;
                continue;
            }
            // Not held here: on to the next kept range inside the span, if any.
            const next = Math.min(...ranges.map(r => r.start).filter(start => start > pos));
            if (!(next < span.end))
                break;
            pos = next;
        }
    }
    return out;
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(57075);
;// CONCATENATED MODULE: ./src/sbom/tar.ts


const block = 512;
/**
 * The most a pax extended header or GNU long name may hold (1 MiB): real ones are a few hundred
 * bytes, and they are kept in memory until the entry they describe.
 */
const maxMetadataSize = 1024 * 1024;
const metadataNames = {
    x: 'pax extended header',
    L: 'GNU long name',
    K: 'GNU long link name'
};
/** Normalises a path from an archive: no leading `./` or `/`, no `.` segments, no trailing `/`. */
function normalisePath(path) {
    const out = [];
    for (const segment of path.split('/')) {
        if (segment === '' || segment === '.')
            continue;
        if (segment === '..')
            out.pop();
        else
            out.push(segment);
    }
    return out.join('/');
}
function cString(buf, start, length) {
    const end = buf.indexOf(0, start);
    return buf.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}
function number(buf, start, length) {
    // GNU base-256 for values that do not fit in octal: high bit of the first byte set.
    if (buf[start] & 0x80) {
        let value = buf[start] & 0x7f;
        for (let i = start + 1; i < start + length; i++)
            value = value * 256 + buf[i];
        return value;
    }
    const text = cString(buf, start, length).trim();
    return text === '' ? 0 : parseInt(text, 8);
}
function parsePax(body) {
    const out = {};
    let p = 0;
    while (p < body.length) {
        const space = body.indexOf(0x20, p);
        if (space < 0)
            break;
        const length = parseInt(body.toString('ascii', p, space), 10);
        if (!(length > 0))
            break;
        const record = body.toString('utf8', space + 1, p + length - 1);
        const eq = record.indexOf('=');
        if (eq > 0)
            out[record.slice(0, eq)] = record.slice(eq + 1);
        p += length;
    }
    return out;
}
/**
 * A streaming tar reader (ustar, pax and GNU long names): `write` chunks as they come, and each
 * entry's header goes to `onEntry`, whose sink (if any) receives the content. Nothing but the
 * current header and metadata records (up to `maxMetadataSize`, a larger one fails the archive)
 * is buffered; global pax headers are skipped unread.
 */
class TarParser {
    onEntry;
    pending = [];
    pendingLength = 0;
    state = 'header';
    remaining = 0;
    padding = 0;
    sink;
    /** The metadata record being read; `parts` is undefined for one that is skipped. */
    meta;
    pax = {};
    longName;
    longLink;
    constructor(onEntry) {
        this.onEntry = onEntry;
    }
    write(chunk) {
        let off = 0;
        while (off < chunk.length && this.state !== 'end') {
            if (this.state === 'header') {
                const part = chunk.subarray(off, off + block - this.pendingLength);
                off += part.length;
                this.pending.push(part);
                this.pendingLength += part.length;
                if (this.pendingLength < block)
                    return;
                const header = Buffer.concat(this.pending);
                this.pending = [];
                this.pendingLength = 0;
                this.header(header);
            }
            else if (this.state === 'body') {
                const part = chunk.subarray(off, off + this.remaining);
                off += part.length;
                this.remaining -= part.length;
                if (this.meta)
                    this.meta.parts?.push(Buffer.from(part));
                else
                    this.sink?.data(part);
                if (this.remaining === 0)
                    this.bodyDone();
            }
            else {
                const skip = Math.min(this.padding, chunk.length - off);
                off += skip;
                this.padding -= skip;
                if (this.padding === 0)
                    this.state = 'header';
            }
        }
    }
    /** Checks the archive ended cleanly (an entry cut short is an error). */
    end() {
        if (this.state === 'body' || this.pendingLength > 0)
            throw new Error('tar archive is truncated');
    }
    header(h) {
        if (h.every(b => b === 0)) {
            // End-of-archive blocks: whatever follows is not read.
            this.state = 'end';
            return;
        }
        let sum = 0;
        for (let i = 0; i < block; i++)
            sum += i >= 148 && i < 156 ? 0x20 : h[i];
        if (sum !== number(h, 148, 8))
            throw new Error('not a tar archive (header checksum mismatch)');
        const typeflag = String.fromCharCode(h[156] || 0x30);
        let size = number(h, 124, 12);
        const ustar = h.toString('ascii', 257, 262) === 'ustar';
        const prefix = ustar && h[345] !== 0 ? cString(h, 345, 155) : '';
        let path = (prefix ? prefix + '/' : '') + cString(h, 0, 100);
        let linkname = cString(h, 157, 100);
        if (typeflag === 'g') {
            // Global pax headers carry nothing a cataloger needs: skipped, whatever their size.
            this.meta = { type: typeflag };
            this.startBody(size);
            return;
        }
        if (typeflag in metadataNames) {
            if (size > maxMetadataSize)
                throw new Error(`a ${metadataNames[typeflag]} of ${size} bytes is over the ${maxMetadataSize} bytes this reader keeps`);
            this.meta = { type: typeflag, parts: [] };
            this.startBody(size);
            return;
        }
        if (this.longName !== undefined)
            path = this.longName;
        if (this.longLink !== undefined)
            linkname = this.longLink;
        if (this.pax.path !== undefined)
            path = this.pax.path;
        if (this.pax.linkpath !== undefined)
            linkname = this.pax.linkpath;
        if (this.pax.size !== undefined)
            size = parseInt(this.pax.size, 10);
        this.pax = {};
        this.longName = this.longLink = undefined;
        const type = typeflag === '0' || typeflag === '7'
            ? 'file'
            : typeflag === '1'
                ? 'hardlink'
                : typeflag === '2'
                    ? 'symlink'
                    : typeflag === '5'
                        ? 'dir'
                        : 'other';
        this.sink = this.onEntry({
            path: normalisePath(path),
            type,
            mode: number(h, 100, 8) & 0o7777,
            size,
            linkname: type === 'hardlink' ? normalisePath(linkname) : linkname
        });
        this.startBody(size);
    }
    startBody(size) {
        this.remaining = size;
        this.padding = (block - (size % block)) % block;
        if (size > 0)
            this.state = 'body';
        else
            this.bodyDone();
    }
    bodyDone() {
        if (this.meta) {
            const body = this.meta.parts && Buffer.concat(this.meta.parts);
            if (body && this.meta.type === 'x')
                this.pax = parsePax(body);
            else if (body && this.meta.type === 'L')
                this.longName = cString(body, 0, body.length);
            else if (body && this.meta.type === 'K')
                this.longLink = cString(body, 0, body.length);
            this.meta = undefined;
        }
        else {
            this.sink?.end();
            this.sink = undefined;
        }
        this.state = this.padding > 0 ? 'pad' : 'header';
    }
}
/**
 * A layer blob's tar stream: gzip and zstd are recognised by their magic numbers, anything else
 * is taken to be a plain tar.
 */
async function* decompressLayer(blob) {
    const iterator = (async function* () {
        for await (const chunk of blob)
            yield chunk;
    })();
    let first = await iterator.next();
    while (!first.done && first.value.length < 4) {
        const next = await iterator.next();
        if (next.done)
            break;
        first = { done: false, value: Buffer.concat([first.value, next.value]) };
    }
    if (first.done)
        return;
    const head = first.value;
    // Large output chunks: each one is a callback on the main thread (16 KiB by default, thousands
    // per base layer), and the tar parser copies out only the few files it keeps.
    const chunkSize = 256 * 1024;
    const decompressor = head[0] === 0x1f && head[1] === 0x8b
        ? (0,external_node_zlib_.createGunzip)({ chunkSize })
        : head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528
            ? (0,external_node_zlib_.createZstdDecompress)({ chunkSize })
            : undefined;
    async function* rest() {
        yield head;
        for (;;) {
            const next = await iterator.next();
            if (next.done)
                return;
            yield next.value;
        }
    }
    if (!decompressor) {
        yield* rest();
        return;
    }
    const input = external_node_stream_.Readable.from(rest());
    input.on('error', err => decompressor.destroy(err));
    input.pipe(decompressor);
    for await (const chunk of decompressor)
        yield chunk;
}

;// CONCATENATED MODULE: ./src/sbom/scan.ts




/** Files read whole are skipped above this size (64 MiB): no package database comes near it. */
const defaultMaxFileSize = 64 * 1024 * 1024;
/** All a scan keeps (256 MiB): files read whole and the parts of executables, together. */
const defaultScanBudget = 256 * 1024 * 1024;
/**
 * How many bytes scans may still keep. One budget can be shared by several scans (the layers of
 * one image); once it is used up, further files are skipped with a warning.
 */
class ScanBudget {
    limit;
    remaining;
    constructor(limit = defaultScanBudget) {
        this.limit = limit;
        this.remaining = limit;
    }
    /** Takes `bytes` if they are left. */
    take(bytes) {
        if (bytes > this.remaining)
            return false;
        this.remaining -= bytes;
        return true;
    }
}
const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';
/**
 * Reads one layer blob (gzip, zstd or plain tar) as a stream and keeps only the entries a
 * cataloger reads: whole files up to `maxFileSize`, and the needed parts of executables. It also
 * records the layer's whiteouts and paths, for `mergeLayers`. Layers can be scanned in any order
 * and at the same time (each as soon as its blob arrives); only the merge needs their order.
 */
async function scanLayer(blob, layer, options = {}) {
    const catalogers = options.catalogers ?? defaultCatalogers;
    const maxFileSize = options.maxFileSize ?? defaultMaxFileSize;
    const budget = options.budget ?? new ScanBudget();
    const warn = options.warn ?? (() => { });
    const overBudget = (path, bytes) => warn(`${layer}: ${path}: ${bytes} bytes not kept, the ${budget.limit}-byte budget of what the scan keeps is used up`);
    const scan = {
        layer,
        kept: new Map(),
        paths: new Set(),
        nonDirectories: new Set(),
        whiteouts: [],
        opaque: []
    };
    const parser = new TarParser(header => {
        const name = basename(header.path);
        if (name.startsWith(whiteoutPrefix)) {
            const dir = dirname(header.path);
            if (name === opaqueMarker)
                scan.opaque.push(dir);
            else
                scan.whiteouts.push((dir ? dir + '/' : '') + name.slice(whiteoutPrefix.length));
            return undefined;
        }
        if (header.path === '')
            return undefined;
        scan.paths.add(header.path);
        if (header.type === 'dir')
            scan.nonDirectories.delete(header.path);
        else
            scan.nonDirectories.add(header.path);
        scan.kept.delete(header.path); // a later entry for the same path wins
        const file = {
            path: header.path,
            size: header.size,
            mode: header.mode,
            layer
        };
        if (header.type === 'hardlink') {
            // The target is an earlier entry of this layer: share what was kept of it.
            const target = scan.kept.get(header.linkname);
            if (target)
                scan.kept.set(header.path, { ...target, path: header.path });
            return undefined;
        }
        if (header.type !== 'file')
            return undefined;
        const mode = readMode(header.path, header.mode, catalogers);
        if (mode === 'whole') {
            if (header.size > maxFileSize) {
                warn(`${layer}: ${header.path}: ${header.size} bytes is over the ${maxFileSize}-byte limit, not read`);
                return undefined;
            }
            if (!budget.take(header.size)) {
                overBudget(header.path, header.size);
                return undefined;
            }
            const parts = [];
            return {
                data: chunk => parts.push(chunk),
                // Copy out of the stream's chunks so a small file does not hold a large chunk alive.
                end: () => scan.kept.set(header.path, { ...file, data: Buffer.concat(parts) })
            };
        }
        if (mode === 'elf') {
            const collector = new ElfCollector(header.size, options.elfLimits ?? defaultElfLimits);
            return {
                data: chunk => collector.push(chunk),
                end: () => {
                    const elf = collector.finish();
                    if (!elf)
                        return;
                    if (!budget.take(collector.keptBytes))
                        overBudget(header.path, collector.keptBytes);
                    else
                        scan.kept.set(header.path, { ...file, elf });
                }
            };
        }
        return undefined;
    });
    try {
        for await (const chunk of decompressLayer(blob))
            parser.write(chunk);
        parser.end();
    }
    catch (error) {
        // The layer is named: a base has several, and one unreadable layer is reported on its own.
        throw new Error(`${layer}: ${error.message}`, { cause: error });
    }
    return scan;
}
/**
 * Whether a layer hides a lower layer's `path`: it writes that path, deletes it or a directory
 * above it (whiteout), makes a directory above it opaque, or puts a file or link where a directory
 * above it was (as the runtime's overlay does).
 */
function scan_hidden(layer, whiteouts, opaque, path) {
    if (layer.paths.has(path) || whiteouts.has(path))
        return true;
    let dir = path;
    for (;;) {
        const slash = dir.lastIndexOf('/');
        dir = slash < 0 ? '' : dir.slice(0, slash);
        if (opaque.has(dir))
            return true;
        if (dir === '')
            return false;
        if (whiteouts.has(dir) || layer.nonDirectories.has(dir))
            return true;
    }
}
/** The files an image's layers leave visible, lowest layer first, sorted by path. */
function mergeViews(layers) {
    const view = new Map();
    for (const layer of layers) {
        const whiteouts = new Set(layer.whiteouts);
        const opaque = new Set(layer.opaque);
        for (const path of [...view.keys()]) {
            if (scan_hidden(layer, whiteouts, opaque, path))
                view.delete(path);
        }
        for (const [path, file] of layer.files)
            view.set(path, file);
    }
    return [...view.keys()]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map(path => view.get(path));
}
/** A kept file as a cataloger's FileSource. */
function keptSource(file) {
    return {
        path: file.path,
        size: file.size,
        mode: file.mode,
        layer: file.layer,
        read: async () => {
            if (!file.data)
                throw new Error(`${file.path}: content was not kept`);
            return file.data;
        },
        ...(file.elf ? { elf: async () => file.elf } : {})
    };
}
/**
 * The image's file system as the catalogers see it, from its layers' scans, lowest first: a
 * whiteout deletes a lower path and all below it, an opaque directory hides its lower contents,
 * any entry of a higher layer replaces a lower file at the same path, and a file or link of a
 * higher layer hides all a lower layer had below that path.
 */
function mergeLayers(scans) {
    return mergeViews(scans.map(scanView)).map(keptSource);
}
/** A scan as a layer view of its kept files. */
function scanView(scan) {
    return { ...scan, files: scan.kept };
}
/** Catalogs an image from its layers' scans, lowest first. */
async function catalogLayers(scans, options = {}) {
    return catalog(mergeLayers(scans), options);
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(51455);
;// CONCATENATED MODULE: ./src/sbom/sources.ts




/**
 * A file on disk as a cataloger's FileSource, read the way the layer scanner reads a blob's
 * entries: whole only up to `maxFileSize`, and an executable streamed through the ELF collector so
 * that a large binary is never held whole. The file is opened without following a link and must
 * still have the size the layer recorded (it was read for the layer moments ago).
 */
function diskSource(file, maxFileSize = defaultMaxFileSize) {
    const openChecked = async () => {
        const handle = await (0,promises_.open)(file.diskPath, external_node_fs_.constants.O_RDONLY | (file.followLink ? 0 : external_node_fs_.constants.O_NOFOLLOW));
        const stat = await handle.stat();
        if (!stat.isFile() || stat.size !== file.size) {
            await handle.close();
            throw new Error(`${file.path} changed since the layer was built`);
        }
        return handle;
    };
    return {
        path: file.path,
        size: file.size,
        mode: file.mode,
        ...(file.layer !== undefined ? { layer: file.layer } : {}),
        read: async () => {
            if (file.size > maxFileSize)
                throw new Error(`${file.path}: ${file.size} bytes is over the ${maxFileSize}-byte limit, not read`);
            const handle = await openChecked();
            try {
                return await handle.readFile();
            }
            finally {
                await handle.close();
            }
        },
        elf: async () => {
            const handle = await openChecked();
            const collector = new ElfCollector(file.size, defaultElfLimits);
            // The stream closes the handle when it ends or fails.
            for await (const chunk of (0,external_node_fs_.createReadStream)('', {
                fd: handle,
                highWaterMark: 1 << 20
            }))
                collector.push(chunk);
            return collector.finish();
        }
    };
}
/**
 * A file on disk as a cataloger's FileSource, at `imagePath` (no leading slash) in the image:
 * for cataloguing a directory before it becomes a layer. A link is followed (the caller chose the path).
 */
async function fileSource(diskPath, imagePath, layer) {
    const stat = await statFile(diskPath);
    return diskSource({
        diskPath,
        path: imagePath,
        size: stat.size,
        mode: stat.mode & 0o7777,
        followLink: true,
        ...(layer !== undefined ? { layer } : {})
    });
}

;// CONCATENATED MODULE: ./src/sbom/index.ts
/**
 * SBOM of what is in an image: catalogers, a streaming layer scanner and the statement it is
 * attached as. The CycloneDX document itself is `./document`, imported where an SBOM is made and
 * only then: its library is a large part of the bundle.
 */








/***/ }),

/***/ 74468:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   EV: () => (/* binding */ purl),
/* harmony export */   NP: () => (/* binding */ npmPurl),
/* harmony export */   Vf: () => (/* binding */ ociPurl),
/* harmony export */   av: () => (/* binding */ golangPurl),
/* harmony export */   iC: () => (/* binding */ pypiPurl)
/* harmony export */ });
/**
 * Package URLs as the purl specification builds them: every component percent-encoded except
 * ASCII letters, digits, `.-_~` and the colon; qualifiers with empty values dropped and sorted by
 * key. Type-specific normalisation (lower-casing, PyPI's `_` → `-`) is the caller's.
 */
function encodeComponent(value) {
    let out = '';
    for (const byte of Buffer.from(value, 'utf8')) {
        const c = String.fromCharCode(byte);
        out += /[A-Za-z0-9._~:-]/.test(c)
            ? c
            : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
    return out;
}
/** Builds the canonical purl string for the given components. */
function purl(parts) {
    let out = `pkg:${parts.type.toLowerCase()}/`;
    const namespace = (parts.namespace ?? '')
        .split('/')
        .filter(segment => segment !== '');
    if (namespace.length > 0)
        out += namespace.map(encodeComponent).join('/') + '/';
    out += encodeComponent(parts.name.replace(/^\/+|\/+$/g, ''));
    if (parts.version)
        out += '@' + encodeComponent(parts.version);
    const qualifiers = Object.entries(parts.qualifiers ?? {})
        .filter((entry) => !!entry[1])
        .map(([key, value]) => `${key.toLowerCase()}=${encodeComponent(value)}`)
        .sort();
    if (qualifiers.length > 0)
        out += '?' + qualifiers.join('&');
    const subpath = (parts.subpath ?? '')
        .split('/')
        .filter(segment => segment !== '' && segment !== '.' && segment !== '..');
    if (subpath.length > 0)
        out += '#' + subpath.map(encodeComponent).join('/');
    return out;
}
/** `pkg:npm/%40scope/name@1.0.0` for `@scope/name` (the scope is the namespace, its `@` encoded). */
function npmPurl(name, version) {
    const slash = name.startsWith('@') ? name.indexOf('/') : -1;
    return slash > 0
        ? purl({
            type: 'npm',
            namespace: name.slice(0, slash),
            name: name.slice(slash + 1),
            version
        })
        : purl({ type: 'npm', name, version });
}
/** PyPI names are case-insensitive and treat `_` as `-`: the purl uses the normalised form. */
function pypiPurl(name, version) {
    return purl({
        type: 'pypi',
        name: name.toLowerCase().replace(/_/g, '-'),
        version
    });
}
/** Go module paths: namespace is all but the last segment, and the spec lower-cases both. */
function golangPurl(path, version) {
    const segments = path.toLowerCase().split('/');
    const name = segments.pop() ?? path;
    return purl({
        type: 'golang',
        namespace: segments.join('/'),
        name,
        version
    });
}
/** `pkg:oci/name@sha256:…?repository_url=registry/path/name` for an image name without tag. */
function ociPurl(image, digest) {
    const repository = image.toLowerCase();
    const name = repository.slice(repository.lastIndexOf('/') + 1);
    return purl({
        type: 'oci',
        name,
        version: digest,
        qualifiers: { repository_url: repository }
    });
}


/***/ }),

/***/ 70528:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ cycloneDxPredicateType),
/* harmony export */   b: () => (/* binding */ inTotoStatementType)
/* harmony export */ });
// What an SBOM is attached as, apart from the document (./document): the stages name these in
// every run, while the CycloneDX library is loaded only by a run that makes an SBOM.
/** The predicate type of a CycloneDX attestation; `cosign verify-attestation --type cyclonedx` matches it. */
const cycloneDxPredicateType = 'https://cyclonedx.org/bom';
const inTotoStatementType = 'https://in-toto.io/Statement/v1';


/***/ }),

/***/ 45813:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ listBundleReferrers),
/* harmony export */   KG: () => (/* binding */ keyBundle),
/* harmony export */   U9: () => (/* binding */ attachBundle),
/* harmony export */   l5: () => (/* binding */ bundleMediaType)
/* harmony export */ });
/* unused harmony export emptyConfig */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(68825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(47812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(29217);
/* harmony import */ var _registry_http__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(18669);
/* harmony import */ var _util_pool__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(40704);





const bundleMediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const emptyConfig = Buffer.from('{}');
const emptyMediaType = 'application/vnd.oci.empty.v1+json';
const referrerAnnotations = {
    content: 'dev.sigstore.bundle.content',
    predicateType: 'dev.sigstore.bundle.predicateType',
    created: 'org.opencontainers.image.created'
};
function keyBundle(payload, payloadType, signature, hint) {
    return {
        mediaType: bundleMediaType,
        verificationMaterial: {
            publicKey: { hint },
            timestampVerificationData: {}
        },
        dsseEnvelope: {
            payload: payload.toString('base64'),
            payloadType,
            signatures: [{ sig: signature.toString('base64') }]
        }
    };
}
/** `sha256:abc…` → `sha256-abc…`: the referrers fallback tag (OCI distribution spec 1.1). */
function referrersFallbackTag(digest) {
    return `sha256-${(0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .digestHex */ .sU)(digest)}`;
}
/**
 * Lists the bundle referrers of `subject`: from the referrers API when the registry has it, from
 * the `sha256-<hex>` fallback index otherwise.
 */
async function listBundleReferrers(client, repo, subject) {
    const index = (await client.referrers(repo, subject)) ??
        (await client
            .findManifest(repo, referrersFallbackTag(subject))
            .then(found => found
            ? JSON.parse(found.bytes.toString('utf8'))
            : undefined));
    const candidates = (index?.manifests ?? []).filter(descriptor => descriptor.artifactType?.startsWith('application/vnd.dev.sigstore.bundle'));
    // A few at a time: each is two round trips, and an image collects several per run.
    const found = await (0,_util_pool__WEBPACK_IMPORTED_MODULE_4__/* .mapBounded */ .y)(candidates, 4, async (descriptor) => {
        // Someone else's odd or deleted referrer must not stop us from finding ours.
        try {
            const found = await client.getManifest(repo, descriptor.digest);
            const manifest = JSON.parse(found.bytes.toString('utf8'));
            if (manifest.layers?.length !== 1)
                return undefined;
            const bytes = await client.getBlobBytes(repo, manifest.layers[0].digest, _registry_http__WEBPACK_IMPORTED_MODULE_3__/* .sizeLimits */ .gX.attestation);
            return {
                descriptor,
                manifest,
                bundle: JSON.parse(bytes.toString('utf8'))
            };
        }
        catch {
            return undefined;
        }
    });
    const referrers = found.filter((r) => r !== undefined);
    return referrers;
}
/**
 * Attaches a bundle to `subject` as an OCI 1.1 referrer: bundle and empty-config blobs, the
 * referrer manifest by digest, then, when the registry did not index the subject itself, an entry
 * in the `sha256-<hex>` fallback index carrying the artifactType and annotations.
 */
async function attachBundle(client, repo, subject, bundle, predicateType, created) {
    const bundleBlob = (0,_oci_image__WEBPACK_IMPORTED_MODULE_1__/* .bytesBlob */ .XU)(bundleMediaType, Buffer.from(JSON.stringify(bundle)));
    const configBlob = (0,_oci_image__WEBPACK_IMPORTED_MODULE_1__/* .bytesBlob */ .XU)(emptyMediaType, emptyConfig);
    for (const blob of [bundleBlob, configBlob]) {
        await client.pushBlob(repo, blob.descriptor.digest, {
            size: blob.descriptor.size,
            open: offset => blob.open(offset)
        });
    }
    const annotations = {
        [referrerAnnotations.content]: 'dsse-envelope',
        [referrerAnnotations.predicateType]: predicateType,
        [referrerAnnotations.created]: created
    };
    const manifest = {
        schemaVersion: 2,
        mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest,
        artifactType: bundleMediaType,
        config: configBlob.descriptor,
        layers: [bundleBlob.descriptor],
        subject: {
            mediaType: subject.mediaType,
            size: subject.size,
            digest: subject.digest
        },
        annotations
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = (0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .sha256 */ .sc)(bytes);
    // Readers decide by the referrers API (GET), so writers decide the same way, not by the
    // OCI-Subject header (ECR sends it without offering the API).
    const hasApi = (await client.referrers(repo, subject.digest)) !== undefined;
    await client.putManifest(repo, digest, bytes, _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest);
    const reference = `${repo}@${digest}`;
    if (hasApi)
        return { digest, reference, viaFallbackTag: false };
    // Read, add, write, read back: a concurrent signer's write may have replaced ours.
    const tag = referrersFallbackTag(subject.digest);
    const entry = {
        mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest,
        size: bytes.length,
        digest,
        artifactType: bundleMediaType,
        annotations
    };
    for (let attempt = 1;; attempt++) {
        const existing = await client.findManifest(repo, tag);
        const index = existing
            ? JSON.parse(existing.bytes.toString('utf8'))
            : { schemaVersion: 2, mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociIndex, manifests: [] };
        if (index.manifests.some(d => d.digest === digest))
            break;
        if (attempt > 5) {
            throw new Error(`${repo}:${tag} kept changing; the bundle ${digest} is not listed in it`);
        }
        // Our entry vanished after a write: another signer wrote at the same time; back off a little.
        if (attempt > 1)
            await new Promise(resolve => setTimeout(resolve, 50 + Math.random() * 200));
        index.manifests.push(entry);
        index.manifests.sort((a, b) => a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
        await client.putManifest(repo, tag, Buffer.from(JSON.stringify(index)), _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociIndex);
    }
    return { digest, reference, viaFallbackTag: true };
}


/***/ }),

/***/ 82821:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   TZ: () => (/* binding */ generateKeyPair),
/* harmony export */   eN: () => (/* binding */ KeyError),
/* harmony export */   fm: () => (/* binding */ loadSigningKey)
/* harmony export */ });
/* unused harmony export encryptCosignKey */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var tweetnacl__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(80668);
/* harmony import */ var tweetnacl__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(tweetnacl__WEBPACK_IMPORTED_MODULE_1__);


/** PEM types of cosign's encrypted keys (current, and the one cosign wrote before 2.0). */
const encryptedPemTypes = [
    'ENCRYPTED SIGSTORE PRIVATE KEY',
    'ENCRYPTED COSIGN PRIVATE KEY'
];
/** Scrypt parameters cosign accepts on decryption; anything else is refused (a DoS guard). */
const allowedScryptN = new Set([32768, 65536, 131072]);
const scryptMaxmem = 256 * 1024 * 1024;
/** Why a key could not be used; the message says what to fix, never the key or password. */
class KeyError extends Error {
    culprit;
    constructor(message, 
    /** What is wrong: the key itself, or its password. */
    culprit = 'key') {
        super(message);
        this.culprit = culprit;
        this.name = 'KeyError';
    }
}
function pemBlocks(text) {
    const blocks = [];
    const pattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n-----END \1-----/g;
    for (const match of text.matchAll(pattern)) {
        blocks.push({
            type: match[1],
            body: Buffer.from(match[2].replace(/\s+/g, ''), 'base64')
        });
    }
    return blocks;
}
function toSigningKey(privateKey) {
    if (privateKey.asymmetricKeyType !== 'ec' ||
        privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        const kind = privateKey.asymmetricKeyType === 'ec'
            ? `an EC ${privateKey.asymmetricKeyDetails?.namedCurve} key`
            : `a ${privateKey.asymmetricKeyType?.toUpperCase()} key`;
        throw new KeyError(`is ${kind}; only ECDSA P-256 keys are supported (skopeo and podman verify with SHA-256 only). Create one with "imprint generate-key-pair"`);
    }
    const publicKey = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPublicKey)(privateKey);
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    return {
        privateKey,
        publicKey,
        publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        hint: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(spki).digest('base64')
    };
}
function decryptCosignKey(body, password) {
    let parsed;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new KeyError('is an encrypted cosign key whose body is not JSON');
    }
    const { kdf, cipher, ciphertext } = parsed;
    if (kdf?.name !== 'scrypt' || cipher?.name !== 'nacl/secretbox') {
        throw new KeyError(`is encrypted with ${kdf?.name}/${cipher?.name}; only scrypt + nacl/secretbox (cosign's format) is supported`);
    }
    const { N, r, p } = kdf.params ?? {};
    if (!allowedScryptN.has(N) || r !== 8 || p !== 1) {
        throw new KeyError(`has scrypt parameters N=${N} r=${r} p=${p}; cosign keys use N=32768, 65536 or 131072 with r=8, p=1`);
    }
    const key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.scryptSync)(Buffer.from(password, 'utf8'), Buffer.from(kdf.salt, 'base64'), 32, { N, r, p, maxmem: scryptMaxmem });
    const opened = tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().secretbox.open(new Uint8Array(Buffer.from(ciphertext, 'base64')), new Uint8Array(Buffer.from(cipher.nonce, 'base64')), new Uint8Array(key));
    if (!opened) {
        throw new KeyError('could not be decrypted: the signing-key-password is wrong for this key', 'password');
    }
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPrivateKey)({
        key: Buffer.from(opened),
        format: 'der',
        type: 'pkcs8'
    });
}
/**
 * Loads a signing key from PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`), or a cosign
 * encrypted key decrypted with `password`. Only ECDSA P-256 is accepted.
 */
function loadSigningKey(pem, password = '') {
    const blocks = pemBlocks(pem);
    if (blocks.length === 0) {
        throw new KeyError('is not a PEM private key (expected -----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or ENCRYPTED SIGSTORE PRIVATE KEY)');
    }
    const block = blocks.find(b => b.type.endsWith('PRIVATE KEY'));
    if (!block) {
        throw new KeyError(`holds a ${blocks[0].type}, not a private key; pass the private key (the .key file), not the public one`);
    }
    if (encryptedPemTypes.includes(block.type)) {
        return toSigningKey(decryptCosignKey(block.body, password));
    }
    if (block.type === 'ENCRYPTED PRIVATE KEY') {
        throw new KeyError('is a PKCS#8-encrypted key; use an unencrypted PEM or a cosign-encrypted key (imprint generate-key-pair)');
    }
    try {
        const privateKey = block.type === 'EC PRIVATE KEY'
            ? (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPrivateKey)({ key: block.body, format: 'der', type: 'sec1' })
            : (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPrivateKey)({ key: block.body, format: 'der', type: 'pkcs8' });
        return toSigningKey(privateKey);
    }
    catch (error) {
        if (error instanceof KeyError)
            throw error;
        throw new KeyError(`could not be parsed as a ${block.type}`);
    }
}
function pem(type, body) {
    const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
/** Encrypts a private key the way cosign does (scrypt N=65536 + NaCl secretbox). */
function encryptCosignKey(privateKey, password, n = 65536) {
    const salt = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(32);
    const nonce = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(24);
    const key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.scryptSync)(Buffer.from(password, 'utf8'), salt, 32, {
        N: n,
        r: 8,
        p: 1,
        maxmem: scryptMaxmem
    });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const sealed = tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().secretbox(new Uint8Array(der), new Uint8Array(nonce), new Uint8Array(key));
    const body = JSON.stringify({
        kdf: {
            name: 'scrypt',
            params: { N: n, r: 8, p: 1 },
            salt: salt.toString('base64')
        },
        cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
        ciphertext: Buffer.from(sealed).toString('base64')
    });
    return pem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(body));
}
/** A new P-256 key pair: the cosign-encrypted private key and the public key, both PEM. */
function generateKeyPair(password) {
    const { privateKey, publicKey } = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.generateKeyPairSync)('ec', {
        namedCurve: 'prime256v1'
    });
    return {
        privateKeyPem: encryptCosignKey(privateKey, password),
        publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString()
    };
}


/***/ }),

/***/ 13110:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   GQ: () => (/* binding */ dsseEnvelopeMediaType),
/* harmony export */   I9: () => (/* binding */ signatureAnnotation),
/* harmony export */   Ti: () => (/* binding */ predicateTypeAnnotation),
/* harmony export */   cH: () => (/* binding */ appendLegacySignature),
/* harmony export */   t6: () => (/* binding */ readLegacySignatures),
/* harmony export */   w_: () => (/* binding */ legacyTag)
/* harmony export */ });
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(68825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(47812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(29217);
/* harmony import */ var _registry_http__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(18669);
/* harmony import */ var _util_pool__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(40704);





const simpleSigningMediaType = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** cosign's legacy attestation layer: a whole DSSE envelope. */
const dsseEnvelopeMediaType = 'application/vnd.dsse.envelope.v1+json';
const signatureAnnotation = 'dev.cosignproject.cosign/signature';
/** The `.att` layer annotation that names the statement's predicate type. */
const predicateTypeAnnotation = 'predicateType';
const layerTypes = {
    sig: simpleSigningMediaType,
    att: dsseEnvelopeMediaType
};
/** `sha256:abc…` → `sha256-abc….sig` (or `.att`): where cosign v2 and containers/image look. */
function legacyTag(digest, kind = 'sig') {
    return `sha256-${(0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .digestHex */ .sU)(digest)}.${kind}`;
}
/**
 * go-containerregistry's `empty.Image` config with one history and diff_id entry per layer, in
 * its field order: what cosign writes (233 bytes for one layer).
 */
function signatureConfig(layers) {
    const history = layers
        .map(() => '{"created":"0001-01-01T00:00:00Z"}')
        .join(',');
    const diffIds = layers.map(l => JSON.stringify(l.digest)).join(',');
    return Buffer.from(`{"architecture":"","created":"0001-01-01T00:00:00Z","history":[${history}],"os":"","rootfs":{"type":"layers","diff_ids":[${diffIds}]},"config":{}}`);
}
/** Reads the layers (and payloads) under the `.sig` (or `.att`) tag of `digest`. */
async function readLegacySignatures(client, repo, digest, kind = 'sig') {
    const found = await client.findManifest(repo, legacyTag(digest, kind));
    if (!found)
        return { signatures: [] };
    const manifest = JSON.parse(found.bytes.toString('utf8'));
    const signatures = await (0,_util_pool__WEBPACK_IMPORTED_MODULE_4__/* .mapBounded */ .y)(manifest.layers.filter(layer => layer.mediaType === layerTypes[kind]), 4, async (layer) => ({
        layer,
        // An attestation (an SBOM of thousands of packages) is larger than a signature payload.
        payload: await client.getBlobBytes(repo, layer.digest, kind === 'att' ? _registry_http__WEBPACK_IMPORTED_MODULE_3__/* .sizeLimits */ .gX.attestation : _registry_http__WEBPACK_IMPORTED_MODULE_3__/* .sizeLimits */ .gX.smallBlob)
    }));
    return { manifest, signatures };
}
/**
 * Appends one layer to the `.sig` (or `.att`) manifest of `digest` (read, append, write, as cosign
 * does). `isDuplicate` lets the caller skip the write when an equivalent one is there; a
 * `signature` given as a function is only made when it is written.
 */
async function appendLegacySignature(client, repo, digest, signature, isDuplicate, kind = 'sig') {
    const tag = legacyTag(digest, kind);
    const existing = async () => {
        const current = await client.getManifest(repo, tag);
        return {
            reference: `${repo}:${tag}@${current.digest}`,
            manifestDigest: current.digest,
            appended: false
        };
    };
    let { manifest, signatures } = await readLegacySignatures(client, repo, digest, kind);
    if (manifest && signatures.some(isDuplicate))
        return existing();
    let made;
    if (typeof signature === 'function') {
        made = await signature();
        ({ manifest, signatures } = await readLegacySignatures(client, repo, digest, kind));
        if (manifest && signatures.some(isDuplicate))
            return existing();
    }
    else {
        made = signature;
    }
    const payloadBlob = (0,_oci_image__WEBPACK_IMPORTED_MODULE_1__/* .bytesBlob */ .XU)(layerTypes[kind], made.payload);
    const layer = {
        ...payloadBlob.descriptor,
        annotations: made.annotations
    };
    const layers = [...(manifest?.layers ?? []), layer];
    const configBlob = (0,_oci_image__WEBPACK_IMPORTED_MODULE_1__/* .bytesBlob */ .XU)(_oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociConfig, signatureConfig(layers));
    for (const blob of [payloadBlob, configBlob]) {
        await client.pushBlob(repo, blob.descriptor.digest, {
            size: blob.descriptor.size,
            open: offset => blob.open(offset)
        });
    }
    const next = {
        schemaVersion: 2,
        mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest,
        config: configBlob.descriptor,
        layers
    };
    const bytes = Buffer.from(JSON.stringify(next));
    await client.putManifest(repo, tag, bytes, _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest);
    const manifestDigest = (0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .sha256 */ .sc)(bytes);
    return {
        reference: `${repo}:${tag}@${manifestDigest}`,
        manifestDigest,
        appended: true
    };
}


/***/ }),

/***/ 76920:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A: () => (/* binding */ hasIdentityToken),
/* harmony export */   i: () => (/* binding */ oidcTokenProvider)
/* harmony export */ });
/* harmony import */ var _util_fetch_text__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(86614);
/* harmony import */ var _util_retry__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4266);


/**
 * Whether the job can get an OIDC token for Fulcio (`permissions: id-token: write`). Kept apart
 * from the keyless signer: every run's inputs ask it (`sign: auto`), without loading sigstore-js.
 */
function hasIdentityToken(env) {
    return Boolean((env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) ||
        env.SIGSTORE_ID_TOKEN);
}
/**
 * The job's OIDC token for Fulcio (audience `sigstore`), as sigstore-js's CI provider gets it,
 * but from the environment the front end was given: `$SIGSTORE_ID_TOKEN`, else GitHub's token
 * service (`permissions: id-token: write`).
 */
function oidcTokenProvider(env) {
    return {
        getToken: async () => {
            if (env.SIGSTORE_ID_TOKEN)
                return env.SIGSTORE_ID_TOKEN;
            const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
            const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
            if (!url || !token)
                throw new Error('no OIDC token: give the job "permissions: id-token: write"');
            const request = new URL(url);
            request.searchParams.set('audience', 'sigstore');
            // As sigstore-js does: a failed answer (or none) is asked for again, twice.
            const res = await (0,_util_retry__WEBPACK_IMPORTED_MODULE_0__/* .withRetries */ .LH)(async () => {
                const answer = await (0,_util_fetch_text__WEBPACK_IMPORTED_MODULE_1__/* .fetchText */ .S)(request, {
                    headers: {
                        accept: 'application/json',
                        authorization: `Bearer ${token}`
                    }
                }, { timeoutMs: 30_000, maxBytes: 64 * 1024 });
                if (answer.status >= 500 || answer.status === 429)
                    throw new Error(`the OIDC token service answered ${answer.status}`);
                return answer;
            }, { ..._util_retry__WEBPACK_IMPORTED_MODULE_0__/* .defaultRetryPolicy */ .ur, attempts: 3 }, () => true);
            let value;
            try {
                value = JSON.parse(res.text).value;
            }
            catch {
                value = undefined;
            }
            if (!res.ok || typeof value !== 'string' || value === '')
                throw new Error(`the OIDC token service answered ${res.status} without a token`);
            return value;
        }
    };
}


/***/ }),

/***/ 5911:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Iy: () => (/* binding */ simpleSigningType),
/* harmony export */   Kq: () => (/* binding */ simpleSigningPayload),
/* harmony export */   O2: () => (/* binding */ cosignSignStatement),
/* harmony export */   OY: () => (/* binding */ inTotoPayloadType),
/* harmony export */   Zg: () => (/* binding */ pae),
/* harmony export */   g5: () => (/* binding */ cosignSignPredicate)
/* harmony export */ });
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(68825);

const simpleSigningType = 'cosign container image signature';
const inTotoPayloadType = 'application/vnd.in-toto+json';
const cosignSignPredicate = 'https://sigstore.dev/cosign/sign/v1';
/** The repository as cosign names it in payloads (go-containerregistry's `Repository.Name()`). */
function cosignRepositoryName(repository) {
    return repository.registry.name === 'docker.io'
        ? `index.docker.io/${repository.path}`
        : repository.toString();
}
/**
 * The "simple signing" payload cosign signs for the legacy `.sig` format, byte for byte: Go's
 * struct order, no whitespace, `optional` always present (containers/image rejects it missing).
 */
function simpleSigningPayload(repository, digest) {
    const reference = JSON.stringify(cosignRepositoryName(repository));
    return Buffer.from(`{"critical":{"identity":{"docker-reference":${reference}},"image":{"docker-manifest-digest":${JSON.stringify(digest)}},"type":${JSON.stringify(simpleSigningType)}},"optional":null}`, 'utf8');
}
/** The in-toto statement cosign v3 signs: subject without a name, empty predicate. */
function cosignSignStatement(digest) {
    return Buffer.from(JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: (0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .digestHex */ .sU)(digest) } }],
        predicateType: cosignSignPredicate,
        predicate: {}
    }), 'utf8');
}
/** DSSE pre-authentication encoding: what a DSSE signature actually covers. */
function pae(payloadType, body) {
    return Buffer.concat([
        Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `, 'utf8'),
        body
    ]);
}


/***/ }),

/***/ 48318:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ checkTrustedRoot),
/* harmony export */   u: () => (/* binding */ readTrustedRootFile)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);

const trustedRootMediaType = 'application/vnd.dev.sigstore.trustedroot+json';
/** Throws unless `json` is a trusted root (by its media type) naming a certificate authority. */
function checkTrustedRoot(json) {
    const root = json;
    const mediaType = root?.mediaType;
    if (typeof mediaType !== 'string' ||
        !mediaType.startsWith(trustedRootMediaType))
        throw new Error(`not a Sigstore trusted root (mediaType ${JSON.stringify(mediaType)}, want ${trustedRootMediaType};version=0.1)`);
    // sigstore-js reads anything but a list as no authority at all.
    const authorities = root?.certificateAuthorities;
    if (!Array.isArray(authorities) || authorities.length === 0)
        throw new Error('the trusted root names no certificate authority');
}
/** Reads a `trusted_root.json` file; the message says which file and what is wrong with it. */
function readTrustedRootFile(file) {
    let text;
    try {
        text = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8');
    }
    catch (error) {
        throw new Error(`cannot read the trusted root "${file}" (${error.code ?? error.message})`);
    }
    try {
        const json = JSON.parse(text);
        checkTrustedRoot(json);
        return { file, json };
    }
    catch (error) {
        throw new Error(`${file}: ${error.message}`);
    }
}


/***/ }),

/***/ 82146:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ findExecutable)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/**
 * The executable `name` in `env.PATH`'s absolute directories, as a shell (or Go's exec.LookPath,
 * which Docker uses to run credential helpers) finds it; undefined when there is none. An empty or
 * relative entry (`bin`, `.`) means a place in the working directory, the repository being built,
 * which must not choose a program we run (and may hand credentials or images to).
 */
async function findExecutable(name, env) {
    for (const dir of (env.PATH ?? '').split(node_path__WEBPACK_IMPORTED_MODULE_2__.delimiter)) {
        if (!dir || !(0,node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute)(dir))
            continue;
        const candidate = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, name);
        const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(candidate).catch(() => undefined);
        if (!info?.isFile())
            continue;
        const executable = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.access)(candidate, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.X_OK).then(() => true, () => false);
        if (executable)
            return candidate;
    }
    return undefined;
}


/***/ }),

/***/ 86614:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   S: () => (/* binding */ fetchText)
/* harmony export */ });
/**
 * One HTTP exchange with a service we do not control (GitHub's API, its OIDC token service),
 * bounded: the whole exchange within `timeoutMs`, the answer at most `maxBytes`. Redirects are
 * followed as fetch does (it drops `authorization` on the way to another origin).
 */
async function fetchText(url, init, bounds) {
    const res = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(bounds.timeoutMs)
    });
    const chunks = [];
    let total = 0;
    for await (const chunk of res.body ?? []) {
        total += chunk.length;
        if (total > bounds.maxBytes) {
            await res.body?.cancel().catch(() => { });
            throw new Error(`the answer is larger than ${bounds.maxBytes} bytes`);
        }
        chunks.push(chunk);
    }
    return {
        status: res.status,
        ok: res.ok,
        text: Buffer.concat(chunks).toString('utf8')
    };
}


/***/ }),

/***/ 29906:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ consoleLogger),
/* harmony export */   q: () => (/* binding */ silentLogger)
/* harmony export */ });
const silentLogger = {
    debug: () => { },
    info: () => { },
    warning: () => { },
    group: (_name, fn) => fn()
};
/** A logger for the command line: everything on stderr, so stdout carries only results. */
function consoleLogger(verbose = false) {
    const secrets = new Set();
    const write = (line) => {
        let text = line;
        for (const secret of secrets)
            text = text.split(secret).join('***');
        process.stderr.write(`${text}\n`);
    };
    return {
        debug: message => {
            if (verbose)
                write(message);
        },
        info: message => write(message),
        warning: message => write(`warning: ${message}`),
        notice: message => write(`notice: ${message}`),
        group: async (name, fn) => {
            write(`== ${name}`);
            return fn();
        },
        secret: value => {
            if (value.length >= 4)
                secrets.add(value);
        }
    };
}


/***/ }),

/***/ 40704:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ limiter),
/* harmony export */   y: () => (/* binding */ mapBounded)
/* harmony export */ });
/** Maps `items` through `fn` with at most `jobs` calls in flight; results keep the input order. */
async function mapBounded(items, jobs, fn) {
    const results = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                results[i] = await fn(items[i], i);
            }
            catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
    return results;
}
/** Runs what it is given with at most `jobs` calls in flight, the rest waiting their turn. */
function limiter(jobs) {
    let active = 0;
    const waiting = [];
    return async (fn) => {
        // A finishing call hands its slot straight to the next waiter, so none can slip in between.
        if (active >= jobs)
            await new Promise(go => waiting.push(go));
        else
            active++;
        try {
            return await fn();
        }
        finally {
            const next = waiting.shift();
            if (next)
                next();
            else
                active--;
        }
    };
}


/***/ }),

/***/ 4266:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   LH: () => (/* binding */ withRetries),
/* harmony export */   mU: () => (/* binding */ loggingRetries),
/* harmony export */   ur: () => (/* binding */ defaultRetryPolicy)
/* harmony export */ });
/* unused harmony export delayFor */
const defaultRetryPolicy = {
    attempts: 5,
    baseDelayMs: 500,
    factor: 3,
    maxDelayMs: 30_000,
    jitter: 0.2
};
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
/** The wait before attempt `attempt + 1`: the server's `Retry-After` if it gave one, else backoff. */
function delayFor(error, attempt, policy, random = Math.random) {
    const asked = error?.retryAfterMs;
    if (typeof asked === 'number') {
        // A server asking for an hour does not stall the job: capped at twice the longest backoff.
        return Math.min(asked, policy.maxDelayMs * 2);
    }
    const backoff = Math.min(policy.baseDelayMs * policy.factor ** attempt, policy.maxDelayMs);
    return Math.round(backoff * (1 + policy.jitter * (2 * random() - 1)));
}
/**
 * Runs `operation` until it succeeds, fails with an error `retryable` rejects, or runs out of
 * attempts; `onRetry` hears each failure that is tried again.
 */
async function withRetries(operation, policy, retryable, onRetry = () => { }) {
    for (let attempt = 0;; attempt++) {
        try {
            return await operation(attempt);
        }
        catch (error) {
            if (!retryable(error) || attempt + 1 >= policy.attempts)
                throw error;
            const delay = delayFor(error, attempt, policy);
            onRetry(error, delay, attempt + 1);
            await sleep(delay);
        }
    }
}
/** The `onRetry` that says in the log what failed and when it is tried again. */
function loggingRetries(log) {
    return (error, delayMs) => log.info(`${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)}s`);
}


/***/ }),

/***/ 49997:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ foreignText)
/* harmony export */ });
/**
 * Text another party wrote (a registry's error page, git's stderr, an API message), made fit for
 * one log line: control characters and line breaks become spaces, so it cannot start a line of
 * its own (a `::set-output` workflow command, say), credentials it echoes are blanked, and it is cut
 * at `max` characters.
 */
function foreignText(text, max = 200) {
    const line = text
        // eslint-disable-next-line no-control-regex -- control characters are what is removed
        .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token)?\s*[^\s"',;]+/gi, (_, name, sep, scheme) => `${name}${sep}${scheme ? `${scheme} ` : ''}[redacted]`)
        .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 [redacted]');
    return line.length > max ? `${line.slice(0, max)}…` : line;
}


/***/ }),

/***/ 42613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 20181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 76982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 72250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 24434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 79896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 91943:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs/promises");

/***/ }),

/***/ 58611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 85675:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http2");

/***/ }),

/***/ 65692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 69278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 31421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 77598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 53053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 78474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 73024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 51455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 48161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 76760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 57075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 46193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:string_decoder");

/***/ }),

/***/ 73136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 57975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 38522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 70857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 16928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 13193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 16460:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers/promises");

/***/ }),

/***/ 64756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 52018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 87016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 39023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 43106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(95581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 
