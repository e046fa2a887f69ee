import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 668:
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
    crypto = __nccwpck_require__(982);
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

/***/ 489:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   aL: () => (/* binding */ parseLayerSpec),
/* harmony export */   o$: () => (/* binding */ sourceForPlatform)
/* harmony export */ });
/* unused harmony export isPlatformSpecific */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(760);
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
/** Fills `{{os}}`, `{{arch}}` and `{{variant}}` in a source for one platform. */
function sourceForPlatform(source, platform) {
    return source.replace(placeholder, (_, key) => key === 'os'
        ? platform.os
        : key === 'arch'
            ? platform.architecture
            : (platform.variant ?? ''));
}
function isPlatformSpecific(spec) {
    return new RegExp(placeholder.source).test(spec.source);
}


/***/ }),

/***/ 581:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _front_end__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(844);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(265);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(825);
/* harmony import */ var _oci_reference__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(148);
/* harmony import */ var _pipeline_report__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(222);
/* harmony import */ var _pipeline_run__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(320);
/* harmony import */ var _registry_auth__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(481);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(326);
/* harmony import */ var _sign_keys__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(821);
/* harmony import */ var _sign_verify__WEBPACK_IMPORTED_MODULE_12__ = __nccwpck_require__(132);
/* harmony import */ var _util_log__WEBPACK_IMPORTED_MODULE_13__ = __nccwpck_require__(906);














const usage = `Usage:
  imprint build --image REPOSITORY --layers SOURCE:DESTINATION [options]
  imprint generate-key-pair [--output-key-prefix cosign]
  imprint verify --key cosign.pub IMAGE@DIGEST

build: builds an OCI image without a Docker daemon. Options have the names of the action's
inputs; list options may be repeated or hold newline-separated items.

  --image REPOSITORY            target repository, e.g. ghcr.io/acme/api
  --base REFERENCE | scratch    base image (default: cgr.dev/chainguard/static:latest)
  --layers SOURCE:DEST          one layer per occurrence, in order
  --platforms LIST              e.g. linux/amd64,linux/arm64 or all
  --entrypoint, --cmd           JSON array or a space-separated string
  --env, --labels, --annotations KEY=VALUE (repeatable)
  --workdir, --user             image config settings
  --tags TEMPLATE               repeatable; placeholders {{sha}} {{short_sha}} {{branch}} {{pr}} {{run_number}} {{date}}
  --push true|false             push to the registry (default here: false)
  --oci-layout DIR              write an OCI image layout (default here: out/oci when not pushing)
  --working-directory DIR       where SOURCE paths are resolved (default: .)
  --source-date-epoch SECONDS   timestamp for everything in the image (default: HEAD's commit time)
  --allow-tag-overwrite true    let a tag move to a different digest
  --layer-owner root|user|UID:GID  owner of the files in the built layers (default: root)
  --sign auto|key|none          sign after pushing (auto: when a key is given)
  --signing-key FILE            PEM or cosign-encrypted private key
  --sign-recursive true         also sign each platform manifest of an index
  --username, --insecure-registries
  --json                        print the metadata JSON instead of the digest
  --verbose                     debug logging

generate-key-pair: writes PREFIX.key (cosign-encrypted, ECDSA P-256) and PREFIX.pub.
verify: checks the legacy .sig and the cosign v3 bundle signatures of IMAGE@DIGEST with a key.

Secrets come from the environment, never the command line: the registry password from
$IMPRINT_PASSWORD, the key password from $IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD).
build prints the digest on stdout; progress goes to stderr.`;
const keyPassword = () => process.env.IMPRINT_KEY_PASSWORD ?? process.env.COSIGN_PASSWORD ?? '';
function fail(error, verbose) {
    for (const message of (0,_front_end__WEBPACK_IMPORTED_MODULE_3__/* .failureMessages */ .T)(error)) {
        process.stderr.write(`error: ${message}\n`);
    }
    if (verbose && error instanceof Error)
        process.stderr.write(`${error.stack}\n`);
    return 1;
}
async function build(rest) {
    const optionNames = _inputs__WEBPACK_IMPORTED_MODULE_4__/* .inputNames */ .vj.filter(n => !['password', 'github-token', 'signing-key-password'].includes(n));
    let values;
    try {
        values = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.parseArgs)({
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
        'oci-layout': pushGiven === '' || pushGiven === 'false' ? 'out/oci' : ''
    };
    const verbose = values.verbose === true;
    const log = (0,_util_log__WEBPACK_IMPORTED_MODULE_13__/* .consoleLogger */ .k)(verbose);
    try {
        const keyFile = given('signing-key');
        const inputs = (0,_inputs__WEBPACK_IMPORTED_MODULE_4__/* .parseInputs */ .TL)(name => {
            if (name === 'password')
                return process.env.IMPRINT_PASSWORD ?? '';
            if (name === 'github-token')
                return process.env.GITHUB_TOKEN ?? '';
            if (name === 'signing-key-password')
                return keyPassword();
            if (name === 'signing-key' && keyFile) {
                return keyFile.includes('-----BEGIN')
                    ? keyFile
                    : (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(keyFile, 'utf8');
            }
            return given(name) || (cliDefaults[name] ?? '');
        });
        const result = await (0,_pipeline_run__WEBPACK_IMPORTED_MODULE_8__/* .runPipeline */ .a)(inputs, { log, env: process.env });
        process.stdout.write(values.json
            ? `${JSON.stringify((0,_pipeline_report__WEBPACK_IMPORTED_MODULE_7__/* .metadataOf */ .Nk)(result), null, 2)}\n`
            : `${result.digest}\n`);
        return 0;
    }
    catch (error) {
        return fail(error, verbose);
    }
}
function generateKeyPairCommand(rest) {
    const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.parseArgs)({
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
    const pair = (0,_sign_keys__WEBPACK_IMPORTED_MODULE_11__/* .generateKeyPair */ .TZ)(password);
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(`${prefix}.key`, pair.privateKeyPem, { mode: 0o600 });
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(`${prefix}.pub`, pair.publicKeyPem);
    process.stderr.write(`Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n`);
    return 0;
}
async function verifyCommand(rest) {
    const { values, positionals } = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.parseArgs)({
        args: rest,
        options: {
            key: { type: 'string' },
            username: { type: 'string' },
            'insecure-registries': { type: 'string', multiple: true }
        },
        allowPositionals: true
    });
    if (!values.key || positionals.length !== 1) {
        process.stderr.write(`imprint: verify needs --key and one IMAGE@DIGEST\n\n${usage}\n`);
        return 2;
    }
    try {
        const publicKey = (0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.createPublicKey)((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(values.key, 'utf8'));
        const reference = (0,_oci_reference__WEBPACK_IMPORTED_MODULE_6__/* .parseReference */ .F2)(positionals[0]);
        const repo = reference.repository;
        const password = process.env.IMPRINT_PASSWORD;
        const client = new _registry_client__WEBPACK_IMPORTED_MODULE_10__/* .RegistryClient */ .b(repo.registry, {
            keychain: (0,_registry_auth__WEBPACK_IMPORTED_MODULE_9__/* .defaultKeychain */ .Iy)({
                explicit: values.username && password
                    ? { registry: repo.registry, username: values.username, password }
                    : undefined
            }),
            insecureRegistries: (values['insecure-registries'] ?? []).map(h => _oci_reference__WEBPACK_IMPORTED_MODULE_6__/* .Registry */ .OR.parse(h).name),
            log: (0,_util_log__WEBPACK_IMPORTED_MODULE_13__/* .consoleLogger */ .k)(false)
        });
        let digest = reference.digest;
        if (!digest) {
            const resolved = await client.resolveTag(repo, reference.identifier);
            if (!resolved || !(0,_oci_digest__WEBPACK_IMPORTED_MODULE_5__/* .isDigest */ .Bc)(resolved))
                throw new Error(`${reference} does not exist`);
            process.stderr.write(`warning: verifying ${reference} by tag; it resolves to ${resolved} now\n`);
            digest = resolved;
        }
        const report = await (0,_sign_verify__WEBPACK_IMPORTED_MODULE_12__/* .verifyImageSignatures */ .a$)(client, repo, digest, publicKey);
        process.stdout.write(`${repo}@${digest}\n` +
            `  legacy .sig (cosign v2, containers/image): ${report.legacy.verified} of ${report.legacy.total} verified\n` +
            `  bundle referrers (cosign v3): ${report.bundles.verified} of ${report.bundles.total} verified` +
            (report.bundles.predicateTypes.length
                ? ` (${report.bundles.predicateTypes.join(', ')})`
                : '') +
            '\n');
        return report.legacy.verified > 0 && report.bundles.verified > 0 ? 0 : 1;
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

/***/ 916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ InputErrors),
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError)
/* harmony export */ });
/** One input that cannot be used, with what to do about it. */
class InputError extends Error {
    input;
    constructor(input, detail) {
        super(`Input "${input}": ${detail}`);
        this.input = input;
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

/***/ 844:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ failureMessages)
/* harmony export */ });
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(916);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(326);


/**
 * Turns a failure into the lines a user should see: one per problem, naming the input to fix
 * where an input is at fault. Never a stack trace.
 */
function failureMessages(error) {
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputErrors */ .G)
        return error.errors.map(e => e.message);
    if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz)
        return [error.message];
    if (error instanceof _registry_client__WEBPACK_IMPORTED_MODULE_1__/* .AuthenticationError */ .v) {
        if (error.credentialOrigin === 'the username and password inputs') {
            return [
                `Input "password": ${error.message}; check the username and password inputs`
            ];
        }
        return [error.message];
    }
    return [(0,_errors__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(error)];
}


/***/ }),

/***/ 265:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vj: () => (/* binding */ inputNames),
  TL: () => (/* binding */ parseInputs)
});

// UNUSED EXPORTS: inputDefaults, parseCommand

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: ./src/build/layer-spec.ts
var layer_spec = __nccwpck_require__(489);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/platform.ts
var platform = __nccwpck_require__(890);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(148);
// EXTERNAL MODULE: ./src/sign/keys.ts
var keys = __nccwpck_require__(821);
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

;// CONCATENATED MODULE: ./src/inputs.ts







const inputDefaults = {
    base: 'cgr.dev/chainguard/static:latest',
    platforms: 'linux/amd64',
    tags: '{{sha}}',
    push: 'true',
    'working-directory': '.',
    'allow-tag-overwrite': 'false',
    'layer-owner': 'root',
    sign: 'auto',
    'sign-recursive': 'false',
    attest: 'true'
};
/** The names of the inputs this version reads, as in `action.yml`. */
const inputNames = [
    'image',
    'base',
    'layers',
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
    'working-directory',
    'source-date-epoch',
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
    'attest'
];
function parseBoolean(value) {
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new Error(`"${value}" is not a boolean (use true or false)`);
}
/** A JSON array of strings, or a plain string split on spaces. */
function parseCommand(value) {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
        let parsed;
        try {
            parsed = JSON.parse(trimmed);
        }
        catch (error) {
            throw new Error(`${trimmed} is not valid JSON (${(0,src_errors/* messageOf */.bD)(error)}); write e.g. ["/app/server","--port","8080"]`);
        }
        if (!Array.isArray(parsed) || !parsed.every(p => typeof p === 'string')) {
            throw new Error(`${trimmed} must be a JSON array of strings`);
        }
        return parsed;
    }
    return trimmed.split(/\s+/);
}
function keyValues(items) {
    return items.map(parseKeyValue);
}
/**
 * Validates raw input strings (missing ones are empty) into `Inputs`, collecting every problem
 * into one `InputErrors` so that nothing is touched before all inputs are known to be usable.
 */
function parseInputs(get) {
    const errors = [];
    const raw = (name) => {
        const value = get(name).trim();
        return value === '' ? (inputDefaults[name] ?? '') : value;
    };
    function field(name, parse, fallback) {
        try {
            return parse(raw(name));
        }
        catch (error) {
            errors.push(error instanceof src_errors/* InputError */.dz
                ? error
                : new src_errors/* InputError */.dz(name, (0,src_errors/* messageOf */.bD)(error)));
            return fallback;
        }
    }
    const optional = (parse) => (value) => value === '' ? undefined : parse(value);
    const image = field('image', value => {
        if (value === '')
            throw new Error('is required (the repository to push to, e.g. ghcr.io/acme/api)');
        return reference/* Repository */.LN.parse(value);
    }, undefined);
    const base = field('base', value => (value === 'scratch' ? 'scratch' : (0,reference/* parseReference */.F2)(value)), 'scratch');
    const layers = field('layers', value => {
        const lines = parseList(value);
        if (lines.length === 0)
            throw new Error('is required: one SOURCE:DESTINATION per line, e.g. dist:/app/dist');
        return lines.map(layer_spec/* parseLayerSpec */.aL);
    }, []);
    const platforms = field('platforms', value => {
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
    }, []);
    const workingDirectory = field('working-directory', value => value, '.');
    const ociLayout = field('oci-layout', value => (value === '' ? undefined : value), undefined);
    const push = field('push', parseBoolean, false);
    const sourceDateEpoch = field('source-date-epoch', optional(value => {
        if (!/^\d+$/.test(value))
            throw new Error(`"${value}" is not a whole number of seconds since 1970-01-01`);
        return Number(value);
    }), undefined);
    const workdir = field('workdir', optional(value => {
        if (!(0,external_node_path_.isAbsolute)(value) && !value.startsWith('/'))
            throw new Error(`"${value}" must be an absolute path in the image`);
        return value;
    }), undefined);
    const insecureRegistries = field('insecure-registries', value => parseList(value, { commas: true }).map(host => reference/* Registry */.OR.parse(host).name), []);
    const username = field('username', optional(v => v), undefined);
    const password = get('password') === '' ? undefined : get('password');
    if ((username === undefined) !== (password === undefined)) {
        errors.push(new src_errors/* InputError */.dz(username === undefined ? 'username' : 'password', 'username and password must be given together'));
    }
    const user = field('user', optional(v => v), undefined);
    const layerOwner = field('layer-owner', value => {
        const ids = (text, what) => {
            const match = /^(\d+)(?::(\d+))?$/.exec(text);
            if (!match)
                throw new Error(`${what} (use root, user, or numeric UID[:GID] such as 65532:65532)`);
            const owner = {
                uid: Number(match[1]),
                gid: Number(match[2] ?? match[1])
            };
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
    }, { uid: 0, gid: 0 });
    const signingKeyPem = get('signing-key').trim();
    const sign = field('sign', value => {
        switch (value) {
            case 'auto':
                return signingKeyPem ? 'key' : 'none';
            case 'key':
                if (!signingKeyPem) {
                    throw new Error('is "key" but signing-key is empty; pass the key, e.g. signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}');
                }
                return 'key';
            case 'none':
                return 'none';
            case 'keyless':
                throw new Error('keyless signing is not available in this version yet; use sign: key with signing-key (imprint generate-key-pair makes one), or sign: none');
            default:
                throw new Error(`"${value}" is not one of auto, key, keyless, none`);
        }
    }, 'none');
    let signingKey;
    if (sign === 'key' && signingKeyPem) {
        try {
            signingKey = (0,keys/* loadSigningKey */.fm)(signingKeyPem, get('signing-key-password'));
        }
        catch (error) {
            const message = (0,src_errors/* messageOf */.bD)(error);
            errors.push(new src_errors/* InputError */.dz(error instanceof keys/* KeyError */.eN && message.includes('signing-key-password')
                ? 'signing-key-password'
                : 'signing-key', message));
        }
    }
    const inputs = {
        image,
        base,
        layers,
        platforms,
        entrypoint: field('entrypoint', optional(parseCommand), undefined),
        cmd: field('cmd', optional(parseCommand), undefined),
        env: field('env', value => keyValues(parseList(value)), []),
        workdir,
        user,
        labels: field('labels', value => Object.fromEntries(keyValues(parseList(value))), {}),
        annotations: field('annotations', value => Object.fromEntries(keyValues(parseList(value))), {}),
        tags: field('tags', value => parseList(value), []),
        push,
        ociLayout,
        workingDirectory,
        sourceDateEpoch,
        allowTagOverwrite: field('allow-tag-overwrite', parseBoolean, false),
        layerOwner,
        username,
        password,
        insecureRegistries,
        githubToken: get('github-token') === '' ? undefined : get('github-token'),
        sign,
        signingKey,
        signRecursive: field('sign-recursive', parseBoolean, false),
        attest: field('attest', parseBoolean, true)
    };
    if (errors.length)
        throw new src_errors/* InputErrors */.G(errors);
    return inputs;
}


/***/ }),

/***/ 825:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   sU: () => (/* binding */ digestHex),
/* harmony export */   sc: () => (/* binding */ sha256)
/* harmony export */ });
/* unused harmony export parseDigest */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

const digestPattern = /^sha256:[a-f0-9]{64}$/;
function isDigest(value) {
    return digestPattern.test(value);
}
/** Parses a digest string, throwing an error that says what a digest looks like. */
function parseDigest(value) {
    if (!isDigest(value)) {
        throw new Error(`"${value}" is not a sha256 digest (expected sha256: followed by 64 lower-case hex characters)`);
    }
    return value;
}
function sha256(data) {
    return `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(data).digest('hex')}`;
}
/** The hex part of a digest, as used in blob paths and fallback tags. */
function digestHex(digest) {
    return digest.slice('sha256:'.length);
}


/***/ }),

/***/ 812:
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
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(75);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(825);
/* harmony import */ var _media_types__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(217);




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

/***/ 217:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $F: () => (/* binding */ isDockerType),
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
function isDockerType(mediaType) {
    return mediaType?.startsWith('application/vnd.docker.') ?? false;
}


/***/ }),

/***/ 890:
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

/***/ 148:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   LN: () => (/* binding */ Repository),
/* harmony export */   OR: () => (/* binding */ Registry),
/* harmony export */   z7: () => (/* binding */ validateTag)
/* harmony export */ });
/* unused harmony exports dockerHub, Reference */
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(825);

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
    digest(digest) {
        return new Reference(this, undefined, digest);
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

/***/ 833:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  t: () => (/* binding */ buildLayers)
});

// UNUSED EXPORTS: formatBytes

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
;// CONCATENATED MODULE: ./src/build/collect.ts


function isInside(root, candidate) {
    const rel = (0,external_node_path_.relative)(root, candidate);
    return (rel === '' ||
        (rel !== '..' && !rel.startsWith(`..${external_node_path_.sep}`) && !(0,external_node_path_.isAbsolute)(rel)));
}
function normaliseMode(mode) {
    return mode & 0o111 ? 0o755 : 0o644;
}
function byteOrder(a, b) {
    return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}
/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 */
async function collectEntries(root, source, destination, warn) {
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
    const actual = await (0,promises_.stat)(actualPath);
    const dest = external_node_path_.posix
        .normalize(destination)
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
    const entries = [];
    const addParents = (path) => {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) {
            entries.push({
                type: 'dir',
                path: parts.slice(0, i).join('/'),
                mode: 0o755
            });
        }
    };
    if (actual.isDirectory()) {
        if (dest !== '') {
            addParents(dest);
            entries.push({ type: 'dir', path: dest, mode: 0o755 });
        }
        await walk(actualPath, dest, entries, warn);
    }
    else if (actual.isFile()) {
        const target = destination.endsWith('/') || dest === ''
            ? external_node_path_.posix.join(dest, external_node_path_.posix.basename(source.replace(/\/+$/, '')))
            : dest;
        addParents(target);
        entries.push({
            type: 'file',
            path: target,
            mode: normaliseMode(actual.mode),
            size: actual.size,
            source: actualPath
        });
    }
    else {
        throw new Error(`source "${source}" is neither a file nor a directory`);
    }
    return entries.sort(byteOrder);
}
async function walk(dir, prefix, entries, warn) {
    const children = await (0,promises_.readdir)(dir, { withFileTypes: true });
    for (const child of children) {
        const fsPath = (0,external_node_path_.join)(dir, child.name);
        const path = prefix === '' ? child.name : `${prefix}/${child.name}`;
        if (child.isSymbolicLink()) {
            entries.push({ type: 'symlink', path, target: await (0,promises_.readlink)(fsPath) });
        }
        else if (child.isDirectory()) {
            entries.push({ type: 'dir', path, mode: 0o755 });
            await walk(fsPath, path, entries, warn);
        }
        else if (child.isFile()) {
            const info = await (0,promises_.lstat)(fsPath);
            entries.push({
                type: 'file',
                path,
                mode: normaliseMode(info.mode),
                size: info.size,
                source: fsPath
            });
        }
        else {
            warn(`${fsPath} is not a regular file, directory or symlink; left out of the layer`);
        }
    }
}

// EXTERNAL MODULE: ./src/build/layer-spec.ts
var layer_spec = __nccwpck_require__(489);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __nccwpck_require__(466);
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
;// CONCATENATED MODULE: ./src/build/tar.ts

const block = 512;
const maxOctal11 = 0o77777777777;
const smallFileLimit = 4 * 1024 * 1024;
const readChunk = 1024 * 1024;
const flushAt = 256 * 1024;
function writeString(buf, offset, length, value) {
    buf.write(value, offset, length, 'utf8');
}
function writeOctal(buf, offset, length, value) {
    if (value.toString(8).length > length - 1) {
        throw new Error(`${value} does not fit a ${length}-byte tar header field`);
    }
    writeString(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
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
function ustarHeader(name, typeflag, mode, size, linkname, options) {
    const header = Buffer.alloc(block);
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
    for (const byte of header)
        sum += byte;
    writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    return header;
}
function padding(size) {
    const rest = size % block;
    return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(block - rest);
}
/**
 * The header blocks of one entry: a PAX extended header first when the name or link target is too
 * long or not plain ASCII, or the size does not fit the octal field.
 */
function entryHeader(entry, options) {
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
    const mtime = Math.min(options.mtime, maxOctal11);
    const plain = ustarHeader(asciiPrefix(name, 100), typeflag, mode, Math.min(size, maxOctal11) === size ? size : 0, asciiPrefix(linkname, 100), { ...options, mtime });
    if (pax === '')
        return plain;
    const paxBody = Buffer.from(pax, 'utf8');
    const paxHeader = ustarHeader('PaxHeader', 'x', 0o644, paxBody.length, '', {
        ...options,
        mtime
    });
    return Buffer.concat([paxHeader, paxBody, padding(paxBody.length), plain]);
}
/** A stand-in for readers without PAX support: the printable ASCII part of the name, cut to fit. */
function asciiPrefix(value, limit) {
    const ascii = value.replace(/[^\x20-\x7e]/g, '_');
    return ascii.length > limit ? ascii.slice(0, limit) : ascii;
}
/**
 * Streams a tar archive of `entries` in the given order, reading file contents from disk as it
 * goes; output is batched into chunks of a few hundred KiB so that the compressor sees large writes.
 */
async function* tarStream(entries, options) {
    let pending = [];
    let pendingBytes = 0;
    const push = (chunk) => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < flushAt)
            return undefined;
        const out = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        return out;
    };
    for (const entry of entries) {
        let out = push(entryHeader(entry, options));
        if (out)
            yield out;
        if (entry.type !== 'file')
            continue;
        if (entry.size <= smallFileLimit) {
            const content = await (0,promises_.readFile)(entry.source);
            assertSize(entry, content.length);
            out = push(content);
            if (out)
                yield out;
        }
        else {
            for await (const chunk of readLarge(entry)) {
                out = push(chunk);
                if (out)
                    yield out;
            }
        }
        out = push(padding(entry.size));
        if (out)
            yield out;
    }
    push(Buffer.alloc(block * 2));
    yield Buffer.concat(pending, pendingBytes);
}
async function* readLarge(entry) {
    const handle = await (0,promises_.open)(entry.source, 'r');
    try {
        let position = 0;
        while (position < entry.size) {
            const buffer = Buffer.allocUnsafe(Math.min(readChunk, entry.size - position));
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
            if (bytesRead === 0)
                break;
            position += bytesRead;
            yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
        }
        const extra = await handle.read(Buffer.alloc(1), 0, 1, position);
        assertSize(entry, position + extra.bytesRead);
    }
    finally {
        await handle.close();
    }
}
function assertSize(entry, actual) {
    if (actual !== entry.size) {
        throw new Error(`${entry.source} changed while the layer was being written (${entry.size} bytes expected, ${actual} found)`);
    }
}

;// CONCATENATED MODULE: ./src/build/layer.ts







/** gzip level 6 (zlib's default) is pinned: a different level gives different bytes and digests. */
const gzipLevel = 6;
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
/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass.
 */
async function writeLayer(entries, options, path) {
    const diffHash = (0,external_node_crypto_.createHash)('sha256');
    const blobHash = (0,external_node_crypto_.createHash)('sha256');
    const tarTap = new HashTap(diffHash);
    const blobTap = new HashTap(blobHash);
    await (0,external_node_stream_promises_.pipeline)(external_node_stream_.Readable.from(tarStream(entries, options), { objectMode: false }), tarTap, 
    // zlib writes a gzip header without name and with mtime 0, so only the level matters.
    (0,external_node_zlib_namespaceObject.createGzip)({ level: gzipLevel, chunkSize: 64 * 1024 }), blobTap, (0,external_node_fs_.createWriteStream)(path));
    return {
        digest: `sha256:${blobHash.digest('hex')}`,
        diffId: `sha256:${diffHash.digest('hex')}`,
        size: blobTap.bytes,
        uncompressedSize: tarTap.bytes,
        mediaType: media_types/* MediaType */.zu.ociLayerGzip,
        path,
        entries: entries.length
    };
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(812);
// EXTERNAL MODULE: ./src/util/pool.ts
var pool = __nccwpck_require__(704);
;// CONCATENATED MODULE: ./src/pipeline/layers.ts







/**
 * Builds one layer per `layers` line for each platform. A line without platform placeholders gives
 * the same bytes for every platform and is built once.
 */
async function buildLayers(specs, platforms, options) {
    const jobs = [];
    const keyOf = (source, destination) => `${source}\0${destination}`;
    const perPlatform = platforms.map(platform => specs.map(spec => {
        const source = (0,layer_spec/* sourceForPlatform */.o$)(spec.source, platform);
        const key = keyOf(source, spec.destination);
        if (!jobs.some(j => keyOf(j.source, j.destination) === key))
            jobs.push({ source, destination: spec.destination });
        return key;
    }));
    // Every source is checked before any layer is written, so a typo fails fast.
    const entryLists = await Promise.all(jobs.map(job => collectEntries(options.workingDirectory, job.source, job.destination, options.log.warning).catch(error => {
        throw new errors/* InputError */.dz('layers', `${error.message} (line "${job.source}:${job.destination}")`);
    })));
    const built = await (0,pool/* mapBounded */.y)(jobs, options.jobs, async (job, i) => {
        const layer = await writeLayer(entryLists[i], { mtime: options.mtime, uid: options.uid, gid: options.gid }, (0,external_node_path_.join)(options.scratchDir, `layer-${i}.tar.gz`));
        options.log.info(`${job.source} → ${job.destination}: ${layer.entries} entries, ${layer.digest} (${formatBytes(layer.size)})`);
        return (0,oci_image/* fileBlob */.Ax)({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, layer.path, {
            diffId: layer.diffId,
            uncompressedSize: layer.uncompressedSize,
            source: job.source,
            destination: job.destination
        });
    });
    const byKey = new Map(jobs.map((job, i) => [keyOf(job.source, job.destination), built[i]]));
    return perPlatform.map(keys => keys.map(key => byKey.get(key)));
}
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


/***/ }),

/***/ 222:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Nk: () => (/* binding */ metadataOf)
/* harmony export */ });
/* unused harmony exports outputsOf, escapeCell, renderSummary, renderFailureSummary */
/* harmony import */ var _layers__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(833);

/** Output name → value, as `action.yml` declares them. */
function outputsOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        tags: result.tags.join('\n'),
        'config-digest': result.configDigest ?? '',
        signature: result.signatures[0]?.legacy ?? '',
        metadata: JSON.stringify(metadataOf(result))
    };
}
function metadataOf(result) {
    return {
        digest: result.digest,
        image: result.image,
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
        ...(result.ociLayout ? { ociLayout: result.ociLayout } : {}),
        signature: result.signatures[0]?.legacy ?? null,
        signatures: result.signatures
    };
}
/** Escapes text for a Markdown table cell: no HTML, no pipes, no line breaks. */
function escapeCell(text) {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;')
        .replace(/`/g, '&#96;')
        .replace(/\r?\n/g, ' ');
}
const code = (text) => `<code>${escapeCell(text)}</code>`;
/** The job summary as Markdown; pure, so it is tested as text. */
function renderSummary(result) {
    const lines = [];
    lines.push(`### Imprint: ${escapeCell(result.repository)}`, '');
    lines.push('| | |', '|---|---|');
    lines.push(`| Digest | ${code(result.digest)} |`);
    lines.push(`| Image | ${code(result.image)} |`);
    const tagOutcome = new Map(result.push?.tags.map(t => [t.tag, t.outcome]) ?? []);
    if (result.tags.length) {
        const tags = result.tags.map(ref => {
            const outcome = tagOutcome.get(ref.slice(result.repository.length + 1));
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
    if (result.push) {
        const uploaded = result.push.blobs.filter(b => b.outcome === 'uploaded').length;
        lines.push(`| Upload | ${formatBytes(result.push.uploadedBytes)} uploaded in ${uploaded} blobs, ` +
            `${formatBytes(result.push.reusedBytes)} reused in ${result.push.blobs.length - uploaded} |`);
    }
    else {
        lines.push(`| Upload | not pushed${result.ociLayout ? `; written to OCI layout ${code(result.ociLayout)}` : ''} |`);
    }
    for (const record of result.signatures) {
        lines.push(`| Signature | ${code(record.subject)}<br>cosign v2 / containers/image: ${code(record.legacy)}<br>cosign v3 bundle: ${code(record.bundle)}${record.provenance ? `<br>SLSA provenance: ${code(record.provenance)}` : ''} |`);
    }
    if (result.pushed && result.signatures.length === 0)
        lines.push('| Signature | not signed |');
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

/***/ 320:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  a: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(812);
// EXTERNAL MODULE: ./src/oci/platform.ts
var oci_platform = __nccwpck_require__(890);
;// CONCATENATED MODULE: ./src/oci/types.ts
/** An RFC 3339 timestamp in UTC without fractional seconds, as images carry them. */
function rfc3339(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(481);
// EXTERNAL MODULE: ./src/registry/client.ts + 2 modules
var registry_client = __nccwpck_require__(326);
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __nccwpck_require__(466);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
;// CONCATENATED MODULE: ./src/sinks/layout.ts









const refName = 'org.opencontainers.image.ref.name';
async function exists(path) {
    return (0,promises_.stat)(path).then(() => true, () => false);
}
/** Writes a blob through a temporary file, checking its digest, so a layout never holds a torn blob. */
async function writeBlob(dir, blob) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(blob.descriptor.digest));
    if (await exists(target))
        return;
    const temporary = `${target}.${process.pid}.tmp`;
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const tap = new external_node_stream_.Transform({
        transform(chunk, _, done) {
            hash.update(chunk);
            done(null, chunk);
        }
    });
    try {
        await (0,external_node_stream_promises_.pipeline)(await blob.open(0), tap, (0,external_node_fs_.createWriteStream)(temporary));
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== blob.descriptor.digest) {
            throw new Error(`blob ${blob.descriptor.digest} read back as ${actual}`);
        }
        await (0,promises_.rename)(temporary, target);
    }
    finally {
        await (0,promises_.rm)(temporary, { force: true });
    }
}
async function writeBytes(dir, digest, bytes) {
    const target = (0,external_node_path_.join)(dir, 'blobs', 'sha256', (0,oci_digest/* digestHex */.sU)(digest));
    if (await exists(target))
        return;
    await (0,promises_.writeFile)(`${target}.tmp`, bytes);
    await (0,promises_.rename)(`${target}.tmp`, target);
}
/**
 * Checks, before anything is pushed, that `dir` can hold a layout: a directory (or nothing yet)
 * whose `index.json`, if any, is an OCI index.
 */
async function checkLayoutTarget(dir) {
    const info = await (0,promises_.stat)(dir).catch(() => undefined);
    if (info && !info.isDirectory()) {
        throw new Error(`${dir} exists and is not a directory`);
    }
    if (!info) {
        await (0,promises_.mkdir)(dir, { recursive: true });
        return;
    }
    const indexPath = (0,external_node_path_.join)(dir, 'index.json');
    if (await exists(indexPath)) {
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
    await (0,promises_.mkdir)((0,external_node_path_.join)(dir, 'blobs', 'sha256'), { recursive: true });
    await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
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
    if (await exists(indexPath))
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
    await (0,promises_.writeFile)(`${indexPath}.tmp`, (0,oci_image/* canonicalBytes */.Mr)(updated));
    await (0,promises_.rename)(`${indexPath}.tmp`, indexPath);
}

// EXTERNAL MODULE: ./src/util/pool.ts
var pool = __nccwpck_require__(704);
;// CONCATENATED MODULE: ./src/sinks/registry.ts



/** A tag that points at another image, and overwriting was not allowed. */
class TagConflictError extends Error {
    reference;
    existing;
    wanted;
    constructor(reference, existing, wanted) {
        super(`${reference} already points at ${existing}, not at the new image ${wanted}; tags are immutable. ` +
            'Use a tag that changes with the content (the default {{sha}}), or set allow-tag-overwrite: true');
        this.reference = reference;
        this.existing = existing;
        this.wanted = wanted;
        this.name = 'TagConflictError';
    }
}
/** Looks up every tag before anything is written: a conflict stops the push with nothing changed. */
async function planTags(client, repo, digest, tags, allowOverwrite) {
    const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
    const plans = await Promise.all(tags.map(async (tag) => ({
        tag,
        existing: await client.resolveTag(repo, tag, scopes)
    })));
    for (const plan of plans) {
        if (plan.existing && plan.existing !== digest && !allowOverwrite) {
            throw new TagConflictError(`${repo}:${plan.tag}`, plan.existing, digest);
        }
    }
    return plans;
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
        const { digest, size } = blob.descriptor;
        const mountFrom = blob.origin && blob.origin.registry.name === repo.registry.name
            ? blob.origin
            : undefined;
        const outcome = await client.pushBlob(repo, digest, { size, open: offset => blob.open(offset) }, mountFrom);
        options.log.debug(`${digest}: ${outcome}`);
        return { digest, size, outcome };
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

;// CONCATENATED MODULE: ./src/pipeline/assemble.ts


const annotationKeys = {
    baseName: 'org.opencontainers.image.base.name',
    baseDigest: 'org.opencontainers.image.base.digest',
    created: 'org.opencontainers.image.created',
    revision: 'org.opencontainers.image.revision',
    source: 'org.opencontainers.image.source',
    version: 'org.opencontainers.image.version'
};
/** The standard labels, from the run's facts; `created` is the source date, never the wall clock. */
function standardLabels(context) {
    const labels = {
        [annotationKeys.created]: rfc3339(context.sourceDateEpoch)
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
    const created = rfc3339(context.sourceDateEpoch);
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
            comment: 'layer built by imprint'
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
        created: rfc3339(epoch),
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
function remoteLayer(client, reference, descriptor) {
    return {
        descriptor: {
            ...descriptor,
            mediaType: ociLayerType(descriptor.mediaType)
        },
        origin: reference.repository,
        open: offset => client.getBlob(reference.repository, descriptor.digest, offset)
    };
}
async function loadPlatform(client, reference, manifestBytes, digest) {
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    const configBytes = await client.getBlobBytes(reference.repository, manifest.config.digest);
    const config = JSON.parse(configBytes.toString('utf8'));
    const platform = {
        os: config.os,
        architecture: config.architecture,
        ...(config.variant ? { variant: config.variant } : {})
    };
    return {
        platform,
        digest,
        config,
        layers: manifest.layers.map(d => remoteLayer(client, reference, d))
    };
}
/**
 * Resolves the base reference to a digest once, then reads the manifest and config of each
 * wanted platform. Layer bytes are not read here: sinks fetch them only if they lack them.
 */
async function resolveBase(reference, wanted, registries) {
    const client = registries.client(reference.repository.registry);
    const top = await client.getManifest(reference.repository, reference.identifier);
    const name = reference.toString();
    if ((0,media_types/* isIndex */.nw)(top.mediaType)) {
        const index = JSON.parse(top.bytes.toString('utf8'));
        const candidates = index.manifests.filter(d => d.platform &&
            d.platform.os !== 'unknown' &&
            d.platform.architecture !== 'unknown' &&
            (0,media_types/* isImageManifest */.pJ)(d.mediaType));
        const chosen = [];
        if (wanted === 'all') {
            chosen.push(...candidates);
        }
        else {
            for (const platform of wanted) {
                const match = candidates.find(d => (0,oci_platform/* platformMatches */.J5)(d.platform, platform));
                if (!match) {
                    const available = candidates
                        .map(d => (0,oci_platform/* formatPlatform */.Bq)(d.platform))
                        .join(', ');
                    throw new Error(`base ${name} has no ${(0,oci_platform/* formatPlatform */.Bq)(platform)} image (it has: ${available})`);
                }
                chosen.push(match);
            }
        }
        const platforms = await Promise.all(chosen.map(async (d) => {
            const child = await client.getManifest(reference.repository, d.digest);
            const loaded = await loadPlatform(client, reference, child.bytes, child.digest);
            return { ...loaded, platform: d.platform };
        }));
        return { name, digest: top.digest, reference, platforms };
    }
    if (!(0,media_types/* isImageManifest */.pJ)(top.mediaType) && !(0,media_types/* isDockerType */.$F)(top.mediaType)) {
        throw new Error(`base ${name} is a ${top.mediaType || 'manifest of unknown type'}, not an image`);
    }
    const single = await loadPlatform(client, reference, top.bytes, top.digest);
    if (wanted !== 'all') {
        if (wanted.length !== 1 || !(0,oci_platform/* platformMatches */.J5)(single.platform, wanted[0])) {
            throw new Error(`base ${name} is a single-platform image for ${(0,oci_platform/* formatPlatform */.Bq)(single.platform)}; it cannot serve ${wanted.map(oci_platform/* formatPlatform */.Bq).join(', ')}`);
        }
    }
    return { name, digest: top.digest, reference, platforms: [single] };
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(975);
;// CONCATENATED MODULE: ./src/pipeline/context.ts



const run = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
async function git(cwd, ...args) {
    try {
        const { stdout } = await run('git', args, { cwd });
        return stdout.trim() || undefined;
    }
    catch {
        return undefined;
    }
}
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
/** Reads the GitHub Actions environment, falling back to the git checkout for local runs. */
async function readContext(env, workingDirectory, sourceDateEpochInput) {
    const eventName = env.GITHUB_EVENT_NAME;
    const event = await readEvent(env.GITHUB_EVENT_PATH);
    const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target';
    const sha = (isPullRequest ? event.pull_request?.head?.sha : undefined) ??
        env.GITHUB_SHA ??
        (await git(workingDirectory, 'rev-parse', 'HEAD'));
    const branch = isPullRequest
        ? (env.GITHUB_HEAD_REF ?? event.pull_request?.head?.ref)
        : env.GITHUB_REF_TYPE === 'branch' ||
            env.GITHUB_REF?.startsWith('refs/heads/')
            ? env.GITHUB_REF_NAME
            : env.GITHUB_ACTIONS
                ? undefined
                : await git(workingDirectory, 'branch', '--show-current');
    const version = env.GITHUB_REF?.startsWith('refs/tags/')
        ? env.GITHUB_REF.slice('refs/tags/'.length)
        : undefined;
    const sourceUrl = env.GITHUB_REPOSITORY
        ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}`
        : undefined;
    let sourceDateEpoch = 0;
    let sourceDateOrigin = 'default (0)';
    if (sourceDateEpochInput !== undefined) {
        sourceDateEpoch = sourceDateEpochInput;
        sourceDateOrigin = 'the source-date-epoch input';
    }
    else {
        // A shallow pull_request checkout may lack the PR head commit; HEAD (the merge) stands in.
        const commitTime = (sha
            ? await git(workingDirectory, 'log', '-1', '--format=%ct', sha)
            : undefined) ??
            (await git(workingDirectory, 'log', '-1', '--format=%ct', 'HEAD'));
        if (commitTime && /^\d+$/.test(commitTime)) {
            sourceDateEpoch = Number(commitTime);
            sourceDateOrigin = `the commit time of ${sha?.slice(0, 7)}`;
        }
        else if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
            sourceDateEpoch = Number(env.SOURCE_DATE_EPOCH);
            sourceDateOrigin = '$SOURCE_DATE_EPOCH';
        }
    }
    return {
        sha,
        branch,
        pr: isPullRequest
            ? (event.pull_request?.number ?? event.number)
            : undefined,
        runNumber: env.GITHUB_RUN_NUMBER,
        sourceUrl,
        version,
        eventName,
        actor: env.GITHUB_ACTOR,
        sourceDateEpoch,
        sourceDateOrigin
    };
}

// EXTERNAL MODULE: ./src/pipeline/layers.ts + 4 modules
var pipeline_layers = __nccwpck_require__(833);
;// CONCATENATED MODULE: ./src/pipeline/result.ts

function resultOf(inputs, artifact, base, tags, context, push) {
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const repository = inputs.image.toString();
    return {
        digest: artifact.digest,
        repository,
        image: `${repository}@${artifact.digest}`,
        tags: tags.map(tag => `${repository}:${tag}`),
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
                        destination: layer.built.destination
                    }
                    : {})
            }))
        })),
        base: base.name ? { name: base.name, digest: base.digest } : undefined,
        revision: context.sha,
        sourceDateEpoch: context.sourceDateEpoch,
        pushed: push !== undefined,
        push,
        ociLayout: inputs.ociLayout,
        signatures: []
    };
}

// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(148);
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
/** Renders the `tags` templates; every placeholder must have a value and every result be a valid tag. */
function renderTags(templates, context) {
    const values = {
        sha: context.sha,
        short_sha: context.sha?.slice(0, 7),
        branch: context.branch === undefined ? undefined : tagSafe(context.branch),
        pr: context.pr === undefined ? undefined : String(context.pr),
        run_number: context.runNumber,
        date: dateOf(context.sourceDateEpoch)
    };
    const tags = [];
    for (const template of templates) {
        const tag = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, key) => {
            if (!(key in values)) {
                throw new errors/* InputError */.dz('tags', `"${template}" uses the unknown placeholder {{${key}}} (known: ${Object.keys(values).join(', ')})`);
            }
            const value = values[key];
            if (value === undefined) {
                throw new errors/* InputError */.dz('tags', `"${template}" needs {{${key}}}, which this run does not have${key === 'sha' || key === 'short_sha' ? ' (no commit: run inside a git checkout or set tags explicitly)' : ''}`);
            }
            return value;
        });
        try {
            (0,reference/* validateTag */.z7)(tag);
        }
        catch (error) {
            throw new errors/* InputError */.dz('tags', error.message);
        }
        if (!tags.includes(tag))
            tags.push(tag);
    }
    return tags;
}

// EXTERNAL MODULE: ./src/sign/bundle-referrer.ts
var bundle_referrer = __nccwpck_require__(813);
;// CONCATENATED MODULE: ./src/sign/provenance.ts

const slsaProvenancePredicate = 'https://slsa.dev/provenance/v1';
const githubBuildType = 'https://actions.github.io/buildtypes/workflow/v1';
/**
 * A SLSA v1 provenance statement for the image digest, shaped like actions/attest's (GitHub
 * workflow build type), with the base image and every layer source as resolved dependencies.
 */
function provenanceStatement(inputs, env) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const repo = env.GITHUB_REPOSITORY;
    const ref = env.GITHUB_REF ?? '';
    const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
    const workflowPath = workflowRef
        .replace(/^[^/]+\/[^/]+\//, '')
        .replace(/@.*$/, '');
    const dependencies = [];
    if (repo && inputs.revision) {
        dependencies.push({
            uri: `git+${server}/${repo}@${ref}`,
            digest: { gitCommit: inputs.revision }
        });
    }
    else if (inputs.revision) {
        dependencies.push({
            name: 'source',
            digest: { gitCommit: inputs.revision }
        });
    }
    if (inputs.base?.digest) {
        dependencies.push({
            uri: `oci://${inputs.base.name}`,
            digest: { sha256: (0,oci_digest/* digestHex */.sU)(inputs.base.digest) },
            annotations: { role: 'base image' }
        });
    }
    for (const layer of inputs.layers) {
        dependencies.push({
            name: layer.source,
            digest: { sha256: (0,oci_digest/* digestHex */.sU)(layer.diffId) },
            annotations: {
                role: 'layer',
                destination: layer.destination,
                digestOf: 'uncompressed tar (diffID)'
            }
        });
    }
    const predicate = {
        buildDefinition: {
            buildType: githubBuildType,
            externalParameters: {
                workflow: repo
                    ? { ref, repository: `${server}/${repo}`, path: workflowPath }
                    : { ref: 'local', repository: '', path: '' }
            },
            internalParameters: {
                github: {
                    event_name: env.GITHUB_EVENT_NAME ?? '',
                    repository_id: env.GITHUB_REPOSITORY_ID ?? '',
                    repository_owner_id: env.GITHUB_REPOSITORY_OWNER_ID ?? '',
                    runner_environment: env.RUNNER_ENVIRONMENT ?? ''
                }
            },
            resolvedDependencies: dependencies
        },
        runDetails: {
            builder: {
                id: workflowRef ? `${server}/${workflowRef}` : 'urn:imprint:local'
            },
            metadata: {
                invocationId: repo && env.GITHUB_RUN_ID
                    ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`
                    : 'urn:imprint:local'
            }
        }
    };
    return Buffer.from(JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
            {
                name: inputs.repository.toString().toLowerCase(),
                digest: { sha256: (0,oci_digest/* digestHex */.sU)(inputs.digest) }
            }
        ],
        predicateType: slsaProvenancePredicate,
        predicate
    }));
}

// EXTERNAL MODULE: ./src/sign/legacy-sig.ts
var legacy_sig = __nccwpck_require__(110);
// EXTERNAL MODULE: ./src/sign/payload.ts
var sign_payload = __nccwpck_require__(911);
// EXTERNAL MODULE: ./src/sign/verify.ts
var verify = __nccwpck_require__(132);
;// CONCATENATED MODULE: ./src/sign/key-signer.ts






/**
 * Signs `subject` with `key` in both formats verifiers read: the legacy `.sig` simple-signing layer
 * (cosign v2, containers/image, policy engines) and a Sigstore bundle v0.3 referrer (cosign v3).
 * A signature by the same key over the same content is not written twice. Both are read back
 * from the registry and verified before this returns.
 */
async function signWithKey(client, repo, subject, key, created, log, attest) {
    const digest = subject.digest;
    const payload = (0,sign_payload/* simpleSigningPayload */.Kq)(repo, digest);
    const legacy = await (0,legacy_sig/* appendLegacySignature */.cH)(client, repo, digest, {
        payload,
        annotations: {
            [legacy_sig/* signatureAnnotation */.I9]: (0,external_node_crypto_.sign)('sha256', payload, key.privateKey).toString('base64')
        }
    }, existing => existing.payload.equals(payload) &&
        (0,verify/* legacySignatureValid */.AS)(existing, digest, key.publicKey));
    const bundle = await attachStatement(client, repo, subject, key, (0,sign_payload/* cosignSignStatement */.O2)(digest), sign_payload/* cosignSignPredicate */.g5, created, log);
    let provenance;
    if (attest) {
        provenance = await attachStatement(client, repo, subject, key, attest.statement, slsaProvenancePredicate, created, log, attest.sameAs);
    }
    const report = await (0,verify/* verifyImageSignatures */.a$)(client, repo, digest, key.publicKey);
    const wanted = attest
        ? [sign_payload/* cosignSignPredicate */.g5, slsaProvenancePredicate]
        : [sign_payload/* cosignSignPredicate */.g5];
    if (report.legacy.verified === 0 ||
        wanted.some(type => !report.bundles.predicateTypes.includes(type))) {
        throw new Error(`signatures of ${repo}@${digest} did not verify after writing (legacy ${report.legacy.verified}/${report.legacy.total}, bundles ${report.bundles.verified}/${report.bundles.total})`);
    }
    log.info(`${repo}@${digest}: signed (${legacy.appended ? 'new' : 'existing'} .sig, ${bundle.written ? 'new' : 'existing'} bundle); verified ${report.legacy.verified} legacy and ${report.bundles.verified} bundle signatures`);
    return {
        subject: `${repo}@${digest}`,
        legacy: legacy.reference,
        bundle: bundle.reference,
        provenance: provenance?.reference,
        written: {
            legacy: legacy.appended,
            bundle: bundle.written,
            provenance: provenance?.written ?? false
        }
    };
}
/**
 * Signs an in-toto statement with DSSE and attaches it as a bundle referrer of `subject`, unless
 * a bundle of the same predicate type signed by this key (and, when given, `sameAs`) is there.
 */
async function attachStatement(client, repo, subject, key, statement, predicateType, created, log, sameAs = () => true) {
    const existing = (await (0,bundle_referrer/* listBundleReferrers */.F7)(client, repo, subject.digest)).find(r => (0,verify/* bundleStatement */.Qm)(r.bundle, subject.digest, key.publicKey)
        ?.predicateType === predicateType && sameAs(statementOf(r.bundle)));
    if (existing)
        return {
            reference: `${repo}@${existing.descriptor.digest}`,
            written: false
        };
    const signature = (0,external_node_crypto_.sign)('sha256', (0,sign_payload/* pae */.Zg)(sign_payload/* inTotoPayloadType */.OY, statement), key.privateKey);
    const attached = await (0,bundle_referrer/* attachBundle */.U9)(client, repo, subject, (0,bundle_referrer/* keyBundle */.KG)(statement, sign_payload/* inTotoPayloadType */.OY, signature, key.hint), predicateType, created);
    if (attached.viaFallbackTag) {
        log.debug(`${repo.registry} has no referrers API; listed ${predicateType} under the sha256-<hex> fallback tag`);
    }
    return { reference: attached.reference, written: true };
}
function statementOf(bundle) {
    const payload = bundle
        .dsseEnvelope?.payload;
    return payload
        ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))
        : undefined;
}

;// CONCATENATED MODULE: ./src/pipeline/sign.ts



function invocationOf(statement) {
    return statement?.predicate?.runDetails?.metadata?.invocationId;
}
/**
 * Signs the pushed digest (the index for several platforms, and with `recursive` each platform
 * manifest too) in both cosign formats, attaches signed provenance when asked, and verifies what
 * was written.
 */
async function signArtifact(client, repo, artifact, key, options) {
    const top = (0,oci_image/* topLevel */.M4)(artifact);
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const layers = new Map();
    for (const img of images) {
        for (const layer of img.layers) {
            if (layer.built)
                layers.set(layer.descriptor.digest, layer.built);
        }
    }
    const statement = provenanceStatement({
        repository: repo,
        digest: top.digest,
        revision: options.revision,
        base: options.base.name
            ? { name: options.base.name, digest: options.base.digest }
            : undefined,
        layers: [...layers.values()]
    }, options.env);
    const invocation = invocationOf(JSON.parse(statement.toString('utf8')));
    const subjects = [
        { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }
    ];
    if (artifact.kind === 'index' && options.recursive) {
        subjects.push(...artifact.images.map(oci_image/* imageDescriptor */.V1));
    }
    const records = [];
    for (const [i, subject] of subjects.entries()) {
        const attest = i === 0 && options.attest
            ? {
                statement,
                sameAs: (existing) => invocationOf(existing) === invocation
            }
            : undefined;
        records.push(await signWithKey(client, repo, subject, key, options.created, options.log, attest));
    }
    return records;
}

;// CONCATENATED MODULE: ./src/pipeline/run.ts


















/**
 * The whole build: context → base → layers → assemble → push / layout. The action and the
 * command line are two front ends of this function.
 */
async function runPipeline(inputs, deps) {
    const { log } = deps;
    const workingDirectory = (0,external_node_path_.resolve)(inputs.workingDirectory);
    const context = await readContext(deps.env, workingDirectory, inputs.sourceDateEpoch);
    const tags = renderTags(inputs.tags, context);
    log.info(`source date ${context.sourceDateEpoch} (${rfc3339(context.sourceDateEpoch)}) from ${context.sourceDateOrigin}`);
    const registries = new Registries({
        keychain: (0,auth/* defaultKeychain */.Iy)({
            explicit: inputs.username && inputs.password
                ? {
                    registry: inputs.image.registry,
                    username: inputs.username,
                    password: inputs.password
                }
                : undefined,
            githubToken: inputs.githubToken,
            githubActor: context.actor
        }),
        insecureRegistries: inputs.insecureRegistries,
        retry: deps.retry,
        log,
        userAgent: 'imprint',
        chunkThreshold: deps.chunkThreshold,
        chunkSize: deps.chunkSize
    });
    const jobs = deps.jobs ?? 4;
    const scratchDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(deps.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'imprint-'));
    try {
        const base = await log.group('Resolve base', async () => {
            if (inputs.base === 'scratch') {
                if (inputs.platforms === 'all')
                    throw new Error('Input "platforms": "all" needs a base image to take the platforms from');
                return scratchBase(inputs.platforms, context.sourceDateEpoch);
            }
            const resolved = await resolveBase(inputs.base, inputs.platforms, registries);
            log.info(`${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => (0,oci_platform/* formatPlatform */.Bq)(p.platform)).join(', ')})`);
            return resolved;
        });
        const layers = await log.group('Build layers', () => (0,pipeline_layers/* buildLayers */.t)(inputs.layers, base.platforms.map(p => p.platform), {
            workingDirectory,
            scratchDir,
            mtime: context.sourceDateEpoch,
            uid: inputs.layerOwner.uid,
            gid: inputs.layerOwner.gid,
            jobs,
            log
        }));
        const artifact = await log.group('Assemble', async () => {
            const result = assemble(base, layers, inputs, context);
            log.info(`${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`);
            return result;
        });
        deps.onAssembled?.(resultOf(inputs, artifact, base, tags, context, undefined));
        const layoutDir = inputs.ociLayout ? (0,external_node_path_.resolve)(inputs.ociLayout) : undefined;
        if (layoutDir) {
            await checkLayoutTarget(layoutDir).catch(error => {
                throw new errors/* InputError */.dz('oci-layout', error.message);
            });
        }
        let push;
        if (inputs.push) {
            push = await log.group(`Push ${inputs.image}`, async () => {
                const client = registries.client(inputs.image.registry);
                const plans = await planTags(client, inputs.image, (0,oci_image/* topLevel */.M4)(artifact).digest, tags, inputs.allowTagOverwrite);
                return pushArtifact(client, inputs.image, artifact, plans, {
                    jobs,
                    log
                });
            });
        }
        if (inputs.ociLayout && layoutDir) {
            await log.group(`Write OCI layout ${inputs.ociLayout}`, () => writeLayout(layoutDir, artifact, tags));
        }
        if (push)
            deps.onPublished?.(resultOf(inputs, artifact, base, tags, context, push));
        let signatures = [];
        if (inputs.sign === 'key' && inputs.signingKey) {
            const key = inputs.signingKey;
            if (!push) {
                log.warning('push is false: nothing was pushed, so nothing was signed');
            }
            else {
                signatures = await log.group('Sign', () => signArtifact(registries.client(inputs.image.registry), inputs.image, artifact, key, {
                    recursive: inputs.signRecursive,
                    attest: inputs.attest,
                    created: rfc3339(context.sourceDateEpoch),
                    revision: context.sha,
                    base,
                    env: deps.env,
                    log
                }));
            }
        }
        else if (push) {
            log.info('not signed: set signing-key (and sign: key or auto) to sign with cosign-compatible signatures');
        }
        return {
            ...resultOf(inputs, artifact, base, tags, context, push),
            signatures
        };
    }
    finally {
        await (0,promises_.rm)(scratchDir, { recursive: true, force: true });
    }
}


/***/ }),

/***/ 481:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ repositoryScope),
/* harmony export */   Iy: () => (/* binding */ defaultKeychain),
/* harmony export */   xy: () => (/* binding */ parseChallenge)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/** The host part of a docker config `auths` key: `https://index.docker.io/v1/` → `index.docker.io`. */
function configKeyHost(key) {
    return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}
function sameRegistry(key, registry) {
    const host = configKeyHost(key);
    if (registry.name === 'docker.io') {
        return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host);
    }
    return host === registry.name;
}
/** Inputs first, then Docker's config.json (what docker/login-action writes), then ghcr.io with the GitHub token. */
function defaultKeychain(options) {
    let config;
    const loadConfig = () => {
        config ??= (async () => {
            const dir = options.dockerConfigDir ??
                process.env.DOCKER_CONFIG ??
                (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_1__.homedir)(), '.docker');
            try {
                const parsed = JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, 'config.json'), 'utf8'));
                return parsed.auths ?? {};
            }
            catch {
                return {};
            }
        })();
        return config;
    };
    return {
        async resolve(registry) {
            const explicit = options.explicit;
            if (explicit && explicit.registry.name === registry.name) {
                return {
                    username: explicit.username,
                    password: explicit.password,
                    origin: 'the username and password inputs'
                };
            }
            const auths = await loadConfig();
            for (const [key, entry] of Object.entries(auths)) {
                if (!sameRegistry(key, registry))
                    continue;
                if (entry.identitytoken) {
                    return {
                        username: entry.username ?? '<token>',
                        password: '',
                        identityToken: entry.identitytoken,
                        origin: 'docker config.json'
                    };
                }
                if (entry.username && entry.password) {
                    return {
                        username: entry.username,
                        password: entry.password,
                        origin: 'docker config.json'
                    };
                }
                if (entry.auth) {
                    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
                    const colon = decoded.indexOf(':');
                    if (colon > 0) {
                        return {
                            username: decoded.slice(0, colon),
                            password: decoded.slice(colon + 1),
                            origin: 'docker config.json'
                        };
                    }
                }
            }
            if (registry.name === 'ghcr.io' && options.githubToken) {
                return {
                    username: options.githubActor || 'github-actions',
                    password: options.githubToken,
                    origin: 'github-token'
                };
            }
            return undefined;
        }
    };
}
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


/***/ }),

/***/ 326:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  v: () => (/* binding */ AuthenticationError),
  b: () => (/* binding */ RegistryClient)
});

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(75);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(217);
// EXTERNAL MODULE: ./src/util/log.ts
var log = __nccwpck_require__(906);
// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(481);
;// CONCATENATED MODULE: ./src/registry/errors.ts
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
/** A failure below HTTP: connection refused or reset, TLS, a body cut short. */
class NetworkError extends Error {
    temporary = true;
    constructor(method, url, cause) {
        super(`${method} ${redact(url)}: ${describeCause(cause)}`, { cause });
        this.name = 'NetworkError';
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
function isTemporary(error) {
    return ((error instanceof RegistryError && error.temporary) ||
        error instanceof NetworkError ||
        error instanceof UploadRestart);
}
/** Parses an error response body (`{"errors":[{"code","message"}]}`), read up to 64 KiB. */
async function registryError(method, url, response) {
    let codes = [];
    let detail = '';
    if (method !== 'HEAD') {
        const text = await readCapped(response, 64 * 1024);
        try {
            const body = JSON.parse(text);
            codes = (body.errors ?? []).map(e => e.code ?? 'UNKNOWN');
            detail = (body.errors ?? [])
                .map(e => e.message)
                .filter(Boolean)
                .join('; ');
        }
        catch {
            detail = text.trim().slice(0, 200);
        }
    }
    else {
        await response.body?.cancel().catch(() => { });
    }
    return new RegistryError(method, url, response.status, codes, detail, retryAfter(response.headers.get('retry-after')));
}
async function readCapped(response, limit) {
    if (!response.body)
        return '';
    const reader = response.body.getReader();
    const chunks = [];
    let total = 0;
    try {
        while (total < limit) {
            const { done, value } = await reader.read();
            if (done)
                break;
            chunks.push(value);
            total += value.length;
        }
    }
    catch {
        // A body cut short still says something.
    }
    finally {
        await reader.cancel().catch(() => { });
    }
    return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
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

;// CONCATENATED MODULE: ./src/registry/retry.ts

const defaultRetryPolicy = {
    attempts: 5,
    baseDelayMs: 500,
    factor: 3,
    maxDelayMs: 30_000,
    jitter: 0.2
};
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
/** The wait before attempt `attempt + 1`: the registry's `Retry-After` if it gave one, else backoff. */
function delayFor(error, attempt, policy, random = Math.random) {
    if (error instanceof RegistryError && error.retryAfterMs !== undefined) {
        return Math.min(error.retryAfterMs, policy.maxDelayMs * 2);
    }
    const backoff = Math.min(policy.baseDelayMs * policy.factor ** attempt, policy.maxDelayMs);
    return Math.round(backoff * (1 + policy.jitter * (2 * random() - 1)));
}
/** Runs `operation` until it succeeds, fails permanently, or runs out of attempts. */
async function withRetries(operation, policy, onRetry = () => { }) {
    for (let attempt = 0;; attempt++) {
        try {
            return await operation(attempt);
        }
        catch (error) {
            if (!isTemporary(error) || attempt + 1 >= policy.attempts)
                throw error;
            const delay = delayFor(error, attempt, policy);
            onRetry(error, delay, attempt + 1);
            await sleep(delay);
        }
    }
}

;// CONCATENATED MODULE: ./src/registry/client.ts







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
/**
 * A client for one registry's distribution API, modelled on go-containerregistry's `remote` and
 * `transport`: it learns the auth scheme from `/v2/`, fetches bearer tokens per scope, retries
 * temporary failures with backoff, and checks every digest the registry reports.
 */
class RegistryClient {
    registry;
    options;
    baseUrl;
    origin;
    retry;
    log;
    chunkThreshold;
    chunkSize;
    scheme;
    challenge;
    credential;
    tokens = new Map();
    constructor(registry, options) {
        this.registry = registry;
        this.options = options;
        const insecure = registry.isLoopback ||
            (options.insecureRegistries ?? []).includes(registry.name);
        this.baseUrl = `${insecure ? 'http' : 'https'}://${registry.apiHost}`;
        this.origin = new URL(this.baseUrl).origin;
        this.retry = options.retry ?? defaultRetryPolicy;
        this.log = options.log ?? log/* silentLogger */.q;
        this.chunkThreshold = options.chunkThreshold ?? 64 * 1024 * 1024;
        this.chunkSize = options.chunkSize ?? 32 * 1024 * 1024;
    }
    // ---- blobs ---------------------------------------------------------------------------------
    async blobExists(repo, digest, scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')]) {
        const res = await this.request('HEAD', `/v2/${repo.path}/blobs/${digest}`, {
            scopes,
            ok: [200, 404]
        });
        return res.status === 200;
    }
    /**
     * Streams a blob from `offset` on; the caller consumes or cancels the body. A registry that
     * ignores `Range` answers 200 with the whole blob, and the skipped bytes are dropped here.
     */
    async getBlob(repo, digest, offset = 0, retries = true) {
        const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
            headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
            ok: offset > 0 ? [200, 206] : [200],
            retries
        });
        const body = external_node_stream_.Readable.fromWeb(res.body);
        return offset > 0 && res.status === 200 ? skip(body, offset) : body;
    }
    /** Reads a small blob (a config) whole and checks its digest. */
    async getBlobBytes(repo, digest) {
        return withRetries(async () => {
            const bytes = await readAll(await this.getBlob(repo, digest, 0, false));
            if ((0,oci_digest/* sha256 */.sc)(bytes) !== digest) {
                throw new Error(`blob ${digest} from ${repo} does not match its digest`);
            }
            return bytes;
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
    /**
     * Makes sure `repo` has the blob: HEAD first, then a cross-repository mount when `mountFrom` is
     * on this registry, then an upload (monolithic, or chunked and resumable above the threshold).
     */
    async pushBlob(repo, digest, source, mountFrom) {
        const scopes = [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')];
        if (mountFrom)
            scopes.push((0,auth/* repositoryScope */.F7)(mountFrom.path, 'pull'));
        let exists;
        try {
            exists = await this.blobExists(repo, digest, scopes);
        }
        catch (error) {
            // A token service may refuse pull on the mount source: push without mounting instead.
            if (mountFrom && error instanceof AuthenticationError) {
                return this.pushBlob(repo, digest, source);
            }
            throw error;
        }
        if (exists)
            return 'existing';
        return withRetries(async () => {
            const started = await this.startUpload(repo, digest, scopes, mountFrom);
            if (started === 'mounted')
                return 'mounted';
            if (source.size > this.chunkThreshold)
                await this.uploadChunks(started, digest, source, scopes);
            else
                await this.uploadWhole(started, digest, source, scopes);
            return 'uploaded';
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
    async startUpload(repo, digest, scopes, mountFrom) {
        const path = `/v2/${repo.path}/blobs/uploads/`;
        if (mountFrom && !mountFrom.equals(repo)) {
            try {
                const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom.path)}`;
                const res = await this.request('POST', path + query, {
                    scopes,
                    ok: [201, 202],
                    retries: false
                });
                if (res.status === 201)
                    return 'mounted';
                return this.location(res);
            }
            catch (error) {
                // Registries answer failed mounts in many ways (Harbor: 401); an upload always works instead.
                this.log.debug(`mount of ${digest} from ${mountFrom} failed, uploading: ${String(error)}`);
            }
        }
        const res = await this.request('POST', path, {
            scopes,
            ok: [202],
            retries: false
        });
        return this.location(res);
    }
    async uploadWhole(location, digest, source, scopes) {
        const url = new URL(location);
        url.searchParams.set('digest', digest);
        const res = await this.request('PUT', url.toString(), {
            headers: {
                'content-type': 'application/octet-stream',
                'content-length': String(source.size)
            },
            body: () => source.open(0),
            scopes,
            ok: [201],
            retries: false
        });
        this.checkDigest('PUT', url.toString(), res, digest);
    }
    async uploadChunks(location, digest, source, scopes) {
        let offset = 0;
        let resumes = 0;
        while (offset < source.size) {
            const end = Math.min(offset + this.chunkSize, source.size) - 1;
            const start = offset;
            try {
                const res = await this.request('PATCH', location, {
                    headers: {
                        'content-type': 'application/octet-stream',
                        'content-length': String(end - start + 1),
                        'content-range': `${start}-${end}`
                    },
                    body: async () => limit(await source.open(start), end - start + 1),
                    scopes,
                    ok: [202],
                    retries: false
                });
                location = this.location(res);
                offset = end + 1;
            }
            catch (error) {
                if (!(error instanceof NetworkError ||
                    (error instanceof RegistryError && error.temporary)) ||
                    resumes >= 3) {
                    throw error;
                }
                resumes++;
                // Ask the registry how much it kept; anything but a clear answer restarts from POST.
                let status;
                try {
                    status = await this.request('GET', location, {
                        scopes,
                        ok: [204],
                        retries: false
                    });
                }
                catch (statusError) {
                    throw new UploadRestart(digest, statusError);
                }
                location = this.location(status);
                const range = /^(?:bytes=)?0-(\d+)$/.exec(status.headers.get('range') ?? '');
                // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
                if (!range || Number(range[1]) === 0)
                    throw new UploadRestart(digest, error);
                offset = Number(range[1]) + 1;
                this.log.info(`resuming upload of ${digest} at byte ${offset} after: ${String(error)}`);
            }
        }
        const url = new URL(location);
        url.searchParams.set('digest', digest);
        let res;
        try {
            res = await this.request('PUT', url.toString(), {
                headers: { 'content-length': '0' },
                scopes,
                ok: [201],
                retries: false
            });
        }
        catch (error) {
            // Chunks the registry assembled differently from ours: start over rather than give up.
            if (error instanceof RegistryError &&
                (error.status === 416 || error.codes.includes('DIGEST_INVALID'))) {
                throw new UploadRestart(digest, error);
            }
            throw error;
        }
        this.checkDigest('PUT', url.toString(), res, digest);
    }
    // ---- manifests -----------------------------------------------------------------------------
    /** Reads a manifest or index by tag or digest; the digest is computed over the exact bytes. */
    async getManifest(repo, reference) {
        return withRetries(async () => {
            const url = `/v2/${repo.path}/manifests/${reference}`;
            const res = await this.request('GET', url, {
                headers: { accept: media_types/* manifestMediaTypes */.$P.join(', ') },
                scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
                ok: [200],
                retries: false
            });
            const bytes = await readBody('GET', res);
            const digest = (0,oci_digest/* sha256 */.sc)(bytes);
            if ((0,oci_digest/* isDigest */.Bc)(reference) && digest !== reference) {
                throw new Error(`manifest ${repo}@${reference} does not match its digest (got ${digest})`);
            }
            const parsed = JSON.parse(bytes.toString('utf8'));
            const mediaType = parsed.mediaType ??
                res.headers.get('content-type')?.split(';')[0] ??
                '';
            return { bytes, mediaType, digest };
        }, this.retry, (e, ms) => this.retrying(e, ms));
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
        const url = `/v2/${repo.path}/manifests/${reference}`;
        const res = await this.request('PUT', url, {
            headers: { 'content-type': mediaType },
            body: () => bytes,
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull,push')],
            ok: [201, 200]
        });
        this.checkDigest('PUT', url, res, digest);
        return { digest, subject: res.headers.get('oci-subject') ?? undefined };
    }
    /** Like `getManifest`, but a missing manifest (or repository) is `undefined`. */
    async findManifest(repo, reference) {
        try {
            return await this.getManifest(repo, reference);
        }
        catch (error) {
            if (error instanceof RegistryError && error.status === 404)
                return undefined;
            throw error;
        }
    }
    /**
     * The referrers of a digest from the OCI 1.1 referrers API, or `undefined` when the registry
     * does not offer the API (then clients keep the `sha256-<hex>` fallback index instead).
     */
    async referrers(repo, digest) {
        const res = await this.request('GET', `/v2/${repo.path}/referrers/${digest}`, {
            headers: { accept: media_types/* MediaType */.zu.ociIndex },
            scopes: [(0,auth/* repositoryScope */.F7)(repo.path, 'pull')],
            ok: [200, 400, 404, 405]
        });
        const body = await readBody('GET', res);
        if (res.status !== 200)
            return undefined;
        const index = JSON.parse(body.toString('utf8'));
        return index.mediaType === media_types/* MediaType */.zu.ociIndex ||
            Array.isArray(index.manifests)
            ? index
            : undefined;
    }
    // ---- transport -----------------------------------------------------------------------------
    checkDigest(method, url, res, expected) {
        const reported = res.headers.get('docker-content-digest');
        if (reported && reported !== expected) {
            throw new Error(`${method} ${url}: the registry stored ${reported}, but the content is ${expected}`);
        }
    }
    location(res) {
        const location = res.headers.get('location');
        if (!location)
            throw new Error(`${this.registry}: upload response without a Location header`);
        const url = new URL(location, this.baseUrl);
        if (this.baseUrl.startsWith('https:') && url.protocol !== 'https:') {
            throw new Error(`${this.registry} sent an upload location over plain ${url.protocol}; refusing to downgrade from https`);
        }
        return url.toString();
    }
    retrying(error, delayMs) {
        this.log.info(`${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)}s`);
    }
    /** Sends one request with auth, retrying temporary failures unless `retries` is false. */
    async request(method, pathOrUrl, options) {
        const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl;
        const send = async () => {
            let res = await this.send(method, url, options, await this.authorization(options.scopes, false));
            if (res.status === 401) {
                const header = res.headers.get('www-authenticate');
                await res.body?.cancel().catch(() => { });
                if (header)
                    this.challenge = (0,auth/* parseChallenge */.xy)(header);
                const scopes = [...options.scopes];
                const challengeScope = this.challenge?.params.scope;
                if (challengeScope && !scopes.includes(challengeScope))
                    scopes.push(challengeScope);
                res = await this.send(method, url, options, await this.authorization(scopes, true));
                if (res.status === 401) {
                    const error = await registryError(method, url, res);
                    throw new AuthenticationError(this.registry.name, (await this.getCredential())?.origin, error.message);
                }
            }
            if (!options.ok.includes(res.status))
                throw await registryError(method, url, res);
            return res;
        };
        return options.retries === false
            ? send()
            : withRetries(send, this.retry, (e, ms) => this.retrying(e, ms));
    }
    async send(method, url, options, authorization) {
        const headers = {
            'user-agent': this.options.userAgent ?? 'imprint',
            ...options.headers
        };
        // Credentials go to the registry's own origin only, never to a host an upload Location names.
        if (authorization && new URL(url).origin === this.origin) {
            headers.authorization = authorization;
        }
        const body = options.body ? await options.body() : undefined;
        const streamed = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
        try {
            return await fetch(url, {
                method,
                headers,
                body: body,
                // A streamed body cannot be replayed on a 307/308; reads follow redirects (storage URLs).
                redirect: body === undefined ? 'follow' : 'manual',
                ...(streamed ? { duplex: 'half' } : {})
            });
        }
        catch (error) {
            throw new NetworkError(method, url, error);
        }
    }
    getCredential() {
        this.credential ??= this.options.keychain.resolve(this.registry);
        return this.credential;
    }
    /** Learns the registry's auth scheme from `GET /v2/` once. */
    async authScheme() {
        this.scheme ??= withRetries(async () => {
            let res;
            try {
                res = await fetch(`${this.baseUrl}/v2/`, {
                    headers: { 'user-agent': this.options.userAgent ?? 'imprint' }
                });
            }
            catch (error) {
                throw new NetworkError('GET', `${this.baseUrl}/v2/`, error);
            }
            await res.body?.cancel().catch(() => { });
            if (res.status === 401) {
                const header = res.headers.get('www-authenticate') ?? '';
                this.challenge = (0,auth/* parseChallenge */.xy)(header);
                return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic';
            }
            if (res.ok || res.status === 404)
                return 'none';
            throw await registryError('GET', `${this.baseUrl}/v2/`, res);
        }, this.retry, (e, ms) => this.retrying(e, ms)).catch(error => {
            this.scheme = undefined;
            throw error;
        });
        return this.scheme;
    }
    async authorization(scopes, refresh) {
        const scheme = refresh && this.challenge
            ? this.challenge.scheme === 'bearer'
                ? 'bearer'
                : 'basic'
            : await this.authScheme();
        const credential = await this.getCredential();
        if (scheme === 'none' && !refresh)
            return undefined;
        if (scheme === 'basic') {
            if (!credential)
                return undefined;
            return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
        }
        if (scheme === 'none')
            return undefined;
        const key = [...scopes].sort().join(' ');
        // Tokens expire together; a refresh drops them all, including the key the request began with.
        if (refresh)
            this.tokens.clear();
        let token = this.tokens.get(key);
        if (!token) {
            token = this.fetchToken(scopes, credential);
            this.tokens.set(key, token);
            token.catch(() => this.tokens.delete(key));
        }
        return `Bearer ${await token}`;
    }
    async fetchToken(scopes, credential) {
        const params = this.challenge?.params ?? {};
        if (!params.realm)
            throw new Error(`registry ${this.registry} sent a bearer challenge without a realm`);
        const realm = new URL(params.realm);
        const form = new URLSearchParams();
        if (params.service)
            form.set('service', params.service);
        for (const scope of scopes)
            form.append('scope', scope);
        return withRetries(async () => {
            let res;
            try {
                if (credential?.identityToken) {
                    form.set('grant_type', 'refresh_token');
                    form.set('refresh_token', credential.identityToken);
                    form.set('client_id', 'imprint');
                    res = await fetch(realm, {
                        method: 'POST',
                        body: form,
                        headers: { 'content-type': 'application/x-www-form-urlencoded' }
                    });
                }
                else {
                    const url = new URL(realm);
                    for (const [k, v] of form)
                        url.searchParams.append(k, v);
                    const headers = {
                        'user-agent': this.options.userAgent ?? 'imprint'
                    };
                    if (credential) {
                        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
                    }
                    res = await fetch(url, { headers });
                }
            }
            catch (error) {
                throw new NetworkError('GET', realm.toString(), error);
            }
            if (res.status === 401 || res.status === 403) {
                const error = await registryError('GET', realm.toString(), res);
                throw new AuthenticationError(this.registry.name, credential?.origin, error.message);
            }
            if (!res.ok)
                throw await registryError('GET', realm.toString(), res);
            const body = (await res.json());
            const token = body.token ?? body.access_token;
            if (!token)
                throw new Error(`the token service of ${this.registry} answered without a token`);
            return token;
        }, this.retry, (e, ms) => this.retrying(e, ms));
    }
}
async function readBody(method, res) {
    try {
        return Buffer.from(await res.arrayBuffer());
    }
    catch (error) {
        throw new NetworkError(method, res.url, error);
    }
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
async function readAll(source) {
    const chunks = [];
    try {
        for await (const chunk of source)
            chunks.push(chunk);
    }
    catch (error) {
        throw new NetworkError('GET', 'blob body', error);
    }
    return Buffer.concat(chunks);
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

/***/ 813:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ listBundleReferrers),
/* harmony export */   KG: () => (/* binding */ keyBundle),
/* harmony export */   U9: () => (/* binding */ attachBundle),
/* harmony export */   l5: () => (/* binding */ bundleMediaType)
/* harmony export */ });
/* unused harmony exports emptyConfig, referrerAnnotations, referrersFallbackTag */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(217);



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
    const referrers = [];
    for (const descriptor of index?.manifests ?? []) {
        if (!descriptor.artifactType?.startsWith('application/vnd.dev.sigstore.bundle'))
            continue;
        const found = await client.getManifest(repo, descriptor.digest);
        const manifest = JSON.parse(found.bytes.toString('utf8'));
        if (manifest.layers.length !== 1)
            continue;
        const bytes = await client.getBlobBytes(repo, manifest.layers[0].digest);
        referrers.push({
            descriptor,
            manifest,
            bundle: JSON.parse(bytes.toString('utf8'))
        });
    }
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
    const put = await client.putManifest(repo, digest, bytes, _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest);
    const reference = `${repo}@${digest}`;
    if (put.subject)
        return { digest, reference, viaFallbackTag: false };
    const tag = referrersFallbackTag(subject.digest);
    const existing = await client.findManifest(repo, tag);
    const index = existing
        ? JSON.parse(existing.bytes.toString('utf8'))
        : { schemaVersion: 2, mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociIndex, manifests: [] };
    if (!index.manifests.some(d => d.digest === digest)) {
        index.manifests.push({
            mediaType: _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociManifest,
            size: bytes.length,
            digest,
            artifactType: bundleMediaType,
            annotations
        });
        index.manifests.sort((a, b) => a.digest.localeCompare(b.digest));
        await client.putManifest(repo, tag, Buffer.from(JSON.stringify(index)), _oci_media_types__WEBPACK_IMPORTED_MODULE_2__/* .MediaType */ .zu.ociIndex);
    }
    return { digest, reference, viaFallbackTag: true };
}


/***/ }),

/***/ 821:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   TZ: () => (/* binding */ generateKeyPair),
/* harmony export */   eN: () => (/* binding */ KeyError),
/* harmony export */   fm: () => (/* binding */ loadSigningKey)
/* harmony export */ });
/* unused harmony exports encryptedPemTypes, encryptCosignKey */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var tweetnacl__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(668);
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
    constructor(message) {
        super(message);
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
        throw new KeyError('could not be decrypted: the signing-key-password is wrong for this key');
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

/***/ 110:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   I9: () => (/* binding */ signatureAnnotation),
/* harmony export */   cH: () => (/* binding */ appendLegacySignature),
/* harmony export */   t6: () => (/* binding */ readLegacySignatures)
/* harmony export */ });
/* unused harmony exports simpleSigningMediaType, legacySignatureTag */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(217);



const simpleSigningMediaType = 'application/vnd.dev.cosign.simplesigning.v1+json';
const signatureAnnotation = 'dev.cosignproject.cosign/signature';
/** `sha256:abc…` → `sha256-abc….sig`: where cosign v2 and containers/image look. */
function legacySignatureTag(digest) {
    return `sha256-${(0,_oci_digest__WEBPACK_IMPORTED_MODULE_0__/* .digestHex */ .sU)(digest)}.sig`;
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
/** Reads the signature layers (and payloads) under the `.sig` tag of `digest`. */
async function readLegacySignatures(client, repo, digest) {
    const found = await client.findManifest(repo, legacySignatureTag(digest));
    if (!found)
        return { signatures: [] };
    const manifest = JSON.parse(found.bytes.toString('utf8'));
    const signatures = [];
    for (const layer of manifest.layers) {
        if (layer.mediaType !== simpleSigningMediaType)
            continue;
        signatures.push({
            layer,
            payload: await client.getBlobBytes(repo, layer.digest)
        });
    }
    return { manifest, signatures };
}
/**
 * Appends one signature layer to the `.sig` manifest of `digest` (read, append, write, as cosign
 * does). `isDuplicate` lets the caller skip the write when an equivalent signature is there.
 */
async function appendLegacySignature(client, repo, digest, signature, isDuplicate) {
    const tag = legacySignatureTag(digest);
    const { manifest, signatures } = await readLegacySignatures(client, repo, digest);
    if (manifest && signatures.some(isDuplicate)) {
        const current = await client.getManifest(repo, tag);
        return {
            reference: `${repo}:${tag}@${current.digest}`,
            manifestDigest: current.digest,
            appended: false
        };
    }
    const payloadBlob = (0,_oci_image__WEBPACK_IMPORTED_MODULE_1__/* .bytesBlob */ .XU)(simpleSigningMediaType, signature.payload);
    const layer = {
        ...payloadBlob.descriptor,
        annotations: signature.annotations
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

/***/ 911:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Iy: () => (/* binding */ simpleSigningType),
/* harmony export */   Kq: () => (/* binding */ simpleSigningPayload),
/* harmony export */   O2: () => (/* binding */ cosignSignStatement),
/* harmony export */   OY: () => (/* binding */ inTotoPayloadType),
/* harmony export */   Zg: () => (/* binding */ pae),
/* harmony export */   g5: () => (/* binding */ cosignSignPredicate)
/* harmony export */ });
/* unused harmony export cosignRepositoryName */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(825);

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

/***/ 132:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AS: () => (/* binding */ legacySignatureValid),
/* harmony export */   Qm: () => (/* binding */ bundleStatement),
/* harmony export */   a$: () => (/* binding */ verifyImageSignatures)
/* harmony export */ });
/* unused harmony export payloadNames */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(825);
/* harmony import */ var _bundle_referrer__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(813);
/* harmony import */ var _legacy_sig__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(110);
/* harmony import */ var _payload__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(911);





/** Whether a simple-signing payload is well-formed (containers/image's strict rules) and names `digest`. */
function payloadNames(payload, digest) {
    try {
        const parsed = JSON.parse(payload.toString('utf8'));
        const keys = Object.keys(parsed).sort().join(',');
        const critical = parsed.critical;
        return (keys === 'critical,optional' &&
            Object.keys(critical).sort().join(',') === 'identity,image,type' &&
            critical.type === _payload__WEBPACK_IMPORTED_MODULE_4__/* .simpleSigningType */ .Iy &&
            critical.image['docker-manifest-digest'] === digest);
    }
    catch {
        return false;
    }
}
/** A legacy `.sig` layer signed by `key` over a payload for `digest`. */
function legacySignatureValid(signature, digest, key) {
    const encoded = signature.layer.annotations?.[_legacy_sig__WEBPACK_IMPORTED_MODULE_3__/* .signatureAnnotation */ .I9];
    if (!encoded || !payloadNames(signature.payload, digest))
        return false;
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.verify)('sha256', signature.payload, key, Buffer.from(encoded, 'base64'));
}
/** The in-toto statement of a DSSE bundle signed by `key`, if its subject is `digest`. */
function bundleStatement(bundle, digest, key) {
    const b = bundle;
    const envelope = b.dsseEnvelope;
    if (b.mediaType !== _bundle_referrer__WEBPACK_IMPORTED_MODULE_2__/* .bundleMediaType */ .l5 ||
        !envelope ||
        envelope.payloadType !== _payload__WEBPACK_IMPORTED_MODULE_4__/* .inTotoPayloadType */ .OY) {
        return undefined;
    }
    const payload = Buffer.from(envelope.payload, 'base64');
    const signed = envelope.signatures.some(s => (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.verify)('sha256', (0,_payload__WEBPACK_IMPORTED_MODULE_4__/* .pae */ .Zg)(envelope.payloadType, payload), key, Buffer.from(s.sig, 'base64')));
    if (!signed)
        return undefined;
    const statement = JSON.parse(payload.toString('utf8'));
    const names = statement.subject?.some(s => s.digest?.sha256 === (0,_oci_digest__WEBPACK_IMPORTED_MODULE_1__/* .digestHex */ .sU)(digest));
    return names ? { predicateType: statement.predicateType } : undefined;
}
/** Reads both signature formats of `digest` back from the registry and checks them with `key`. */
async function verifyImageSignatures(client, repo, digest, key) {
    const { signatures } = await (0,_legacy_sig__WEBPACK_IMPORTED_MODULE_3__/* .readLegacySignatures */ .t6)(client, repo, digest);
    const referrers = await (0,_bundle_referrer__WEBPACK_IMPORTED_MODULE_2__/* .listBundleReferrers */ .F7)(client, repo, digest);
    const statements = referrers
        .map(r => bundleStatement(r.bundle, digest, key))
        .filter((s) => s !== undefined);
    return {
        legacy: {
            verified: signatures.filter(s => legacySignatureValid(s, digest, key))
                .length,
            total: signatures.length
        },
        bundles: {
            verified: statements.length,
            total: referrers.length,
            predicateTypes: statements.map(s => s.predicateType)
        }
    };
}


/***/ }),

/***/ 906:
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
    return {
        debug: message => {
            if (verbose)
                process.stderr.write(`${message}\n`);
        },
        info: message => process.stderr.write(`${message}\n`),
        warning: message => process.stderr.write(`warning: ${message}\n`),
        group: async (name, fn) => {
            process.stderr.write(`== ${name}\n`);
            return fn();
        }
    };
}


/***/ }),

/***/ 704:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
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


/***/ }),

/***/ 982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 75:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

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
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
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
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 
