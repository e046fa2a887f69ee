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
    crypto = __nccwpck_require__(6982);
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

/***/ 7489:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   aL: () => (/* binding */ parseLayerSpec),
/* harmony export */   o$: () => (/* binding */ sourceForPlatform)
/* harmony export */ });
/* unused harmony export isPlatformSpecific */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
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

/***/ 9117:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Db: () => (/* binding */ compressorId),
  nz: () => (/* binding */ diffIdOfBlob),
  yM: () => (/* binding */ tarDigest),
  By: () => (/* binding */ writeLayer)
});

// UNUSED EXPORTS: decompressorFor, gzipLevel, layerMediaType, zstdLevel

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __nccwpck_require__(6466);
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(9217);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __nccwpck_require__(1455);
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
            const content = await (0,external_node_fs_promises_.readFile)(entry.source);
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
    const handle = await (0,external_node_fs_promises_.open)(entry.source, 'r');
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
        return (0,external_node_zlib_namespaceObject.createZstdCompress)({
            params: {
                [external_node_zlib_namespaceObject.constants.ZSTD_c_compressionLevel]: zstdLevel,
                [external_node_zlib_namespaceObject.constants.ZSTD_c_checksumFlag]: 1
            }
        });
    }
    // zlib writes a gzip header without name and with mtime 0, so only the level matters.
    return (0,external_node_zlib_namespaceObject.createGzip)({ level: gzipLevel, chunkSize: 64 * 1024 });
}
/** The decompressor for a layer media type, or undefined for types we do not read. */
function decompressorFor(mediaType) {
    if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip'))
        return (0,external_node_zlib_namespaceObject.createGunzip)();
    if (mediaType.endsWith('+zstd'))
        return (0,external_node_zlib_namespaceObject.createZstdDecompress)();
    return undefined;
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
/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass.
 */
async function writeLayer(entries, options, path, compression = 'gzip') {
    const diffHash = (0,external_node_crypto_.createHash)('sha256');
    const blobHash = (0,external_node_crypto_.createHash)('sha256');
    const tarTap = new HashTap(diffHash);
    const blobTap = new HashTap(blobHash);
    await (0,promises_.pipeline)(external_node_stream_.Readable.from(tarStream(entries, options), { objectMode: false }), tarTap, compressor(compression), blobTap, (0,external_node_fs_.createWriteStream)(path));
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
    let size = 0;
    for await (const chunk of tarStream(entries, options)) {
        hash.update(chunk);
        size += chunk.length;
    }
    return { diffId: `sha256:${hash.digest('hex')}`, size };
}
/** The diffID of a compressed layer stream: decompress and hash, keeping nothing. */
async function diffIdOfBlob(source, mediaType) {
    const decompress = decompressorFor(mediaType);
    if (!decompress)
        return undefined;
    const hash = (0,external_node_crypto_.createHash)('sha256');
    await (0,promises_.pipeline)(source, decompress, new HashTap(hash), new external_node_stream_.Writable({ write: (_c, _e, done) => done() }));
    return `sha256:${hash.digest('hex')}`;
}


/***/ }),

/***/ 5581:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _front_end__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7844);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8265);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(8825);
/* harmony import */ var _oci_reference__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(2148);
/* harmony import */ var _pipeline_report__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(2222);
/* harmony import */ var _pipeline_run__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(9911);
/* harmony import */ var _registry_auth__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(7481);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(690);
/* harmony import */ var _sign_keys__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(2821);
/* harmony import */ var _sign_verify__WEBPACK_IMPORTED_MODULE_12__ = __nccwpck_require__(2132);
/* harmony import */ var _util_log__WEBPACK_IMPORTED_MODULE_13__ = __nccwpck_require__(9906);














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

/***/ 9015:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Sh: () => (/* binding */ ManifestError),
  Ss: () => (/* binding */ editManifest),
  Io: () => (/* binding */ parseNamedPath)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __nccwpck_require__(8815);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(2148);
;// CONCATENATED MODULE: ./src/deploy/quote.ts

/**
 * Whether `value` must be quoted to stay a string: under YAML 1.2 (the `yaml` package, kubectl) and
 * YAML 1.1 (go-yaml, Helm), and as valid plain-scalar syntax. `58467965`, `0123456`, `1e10`, `on`
 * would otherwise become numbers or booleans.
 */
function needsQuotes(value) {
    if (value === '' || value.trim() !== value)
        return true;
    try {
        return (0,dist/* parse */.qg)(value) !== value || (0,dist/* parse */.qg)(value, { version: '1.1' }) !== value;
    }
    catch {
        return true;
    }
}
function doubleQuoted(value) {
    return JSON.stringify(value);
}
function singleQuoted(value) {
    return `'${value.replace(/'/g, "''")}'`;
}

;// CONCATENATED MODULE: ./src/deploy/yaml-edit.ts





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
const kustomizationNames = new Set([
    'kustomization.yaml',
    'kustomization.yml',
    'Kustomization'
]);
function formatPath(path) {
    return path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
        .join('');
}
function sameRepository(value, repository) {
    if (value.includes('${') || value.includes('{{'))
        return false;
    try {
        return (0,reference/* parseReference */.F2)(value).repository.equals(repository);
    }
    catch {
        return false;
    }
}
/** The reference's name as written (`nginx`, `ghcr.io/a/b`), without tag and digest. */
function namePart(reference) {
    const withoutDigest = reference.split('@')[0];
    const slash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
/**
 * Rewrites every reference to `target.repository` in a YAML stream by splicing only the changed
 * values into the original text: comments, blank lines, key order, indentation, quoting and line
 * endings stay as they were. Kubernetes containers (anywhere), compose services and full-reference
 * strings get `name:tag@digest`; kustomization `images:` entries get `newTag` and `digest`; Helm-style
 * `repository` + `tag` (+ `digest`) mappings get the tag and, when present, the digest.
 */
function editManifest(file, src, target) {
    const eol = src.includes('\r\n') ? '\r\n' : '\n';
    const docs = (0,dist/* parseAllDocuments */.hR)(src, { prettyErrors: true, uniqueKeys: true });
    const documents = Array.isArray(docs) ? docs : [];
    for (const doc of documents) {
        const error = doc.errors[0];
        if (error) {
            throw new ManifestError(file, error.linePos?.[0]?.line, `not valid YAML: ${error.message.split('\n')[0]}`);
        }
    }
    const lineOf = (offset) => src.slice(0, offset).split('\n').length;
    const splices = [];
    const changes = [];
    // The same edits made on the parsed documents: what the edited text must read as (aliases included).
    const intended = [];
    const edited = new Set();
    const warnings = [];
    let matches = 0;
    const render = (node, value) => {
        if (node.type === 'QUOTE_SINGLE')
            return singleQuoted(value);
        if (node.type === 'QUOTE_DOUBLE')
            return doubleQuoted(value);
        if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
            const original = src.slice(node.range[0], node.range[1]);
            return doubleQuoted(value) + (original.endsWith('\n') ? eol : '');
        }
        return needsQuotes(value) ? doubleQuoted(value) : value;
    };
    const setScalar = (node, path, value) => {
        if ((0,dist/* isAlias */.Vj)(node)) {
            throw new ManifestError(file, lineOf(node.range[0]), `${formatPath(path)} is an alias (*${node.source}); edit the anchored value instead`);
        }
        if (!(0,dist/* isScalar */.jn)(node) || !node.range || edited.has(node))
            return false;
        if (node.anchor) {
            warnings.push(`${file}:${lineOf(node.range[0])}: ${formatPath(path)} is anchored (&${node.anchor}); its aliases change too`);
        }
        if (node.value === value)
            return false;
        edited.add(node);
        intended.push(() => {
            node.value = value;
        });
        const [start, end] = node.range;
        const text = render(node, value);
        // An empty value (`tag:`) gets a space before it, and one after when a comment follows.
        const lead = src[start - 1] === ' ' || src[start - 1] === '\t' ? '' : ' ';
        const spliced = start === end ? `${lead}${text}${src[start] === '#' ? ' ' : ''}` : text;
        splices.push({ start, end, text: spliced });
        return true;
    };
    /** Adds `key: value` on the line after `after`'s line, indented like `after`'s key. */
    const insertAfter = (map, after, path, key, value) => {
        if (map.flow) {
            throw new ManifestError(file, lineOf(after.key.range[0]), `cannot add ${key} to the flow mapping at ${formatPath(path)}; write it in block style`);
        }
        const keyStart = after.key.range[0];
        const lineStart = src.lastIndexOf('\n', keyStart - 1) + 1;
        const bom = src.charCodeAt(lineStart) === 0xfeff ? 1 : 0;
        const indent = ' '.repeat(keyStart - lineStart - bom);
        const valueEnd = after.value?.range?.[2] ?? keyStart;
        let lineEnd = src.indexOf('\n', valueEnd > 0 ? valueEnd - 1 : 0);
        if (lineEnd < 0)
            lineEnd = src.length;
        else if (src[lineEnd - 1] === '\r')
            lineEnd -= 1;
        const rendered = needsQuotes(value) ? doubleQuoted(value) : value;
        splices.push({
            start: lineEnd,
            end: lineEnd,
            text: `${eol}${indent}${key}: ${rendered}`
        });
        intended.push(() => map.set(key, value));
    };
    const pairOf = (map, key) => map.items.find(p => (0,dist/* isPair */.tO)(p) && (0,dist/* isScalar */.jn)(p.key) && p.key.value === key);
    const stringOf = (pair) => pair && (0,dist/* isScalar */.jn)(pair.value) && typeof pair.value.value === 'string'
        ? pair.value.value
        : undefined;
    const editKustomizeEntry = (doc, entry, path) => {
        const name = pairOf(entry, 'name');
        const newName = pairOf(entry, 'newName');
        const effective = stringOf(newName) ?? stringOf(name);
        if (!effective || !sameRepository(effective, target.repository))
            return;
        matches++;
        const from = `${effective}${stringOf(pairOf(entry, 'newTag')) ? `:${stringOf(pairOf(entry, 'newTag'))}` : ''}${stringOf(pairOf(entry, 'digest')) ? `@${stringOf(pairOf(entry, 'digest'))}` : ''}`;
        let changed = false;
        for (const [key, value] of [
            ['newTag', target.tag],
            ['digest', target.digest]
        ]) {
            const pair = pairOf(entry, key);
            if (pair)
                changed =
                    setScalar(pair.value, [...path, key], value) || changed;
            else {
                // After the entry's last image key, so newTag and digest read in that order.
                const last = key === 'digest'
                    ? (pairOf(entry, 'newTag') ?? newName ?? name)
                    : (newName ?? name);
                insertAfter(entry, last, path, key, value);
                changed = true;
            }
        }
        if (changed) {
            changes.push({
                document: doc,
                path: formatPath(path),
                kind: 'kustomize',
                from,
                to: `${effective}:${target.tag}@${target.digest}`
            });
        }
    };
    const editHelmImage = (doc, map, path) => {
        const repositoryPair = pairOf(map, 'repository');
        const repository = stringOf(repositoryPair);
        if (!repository)
            return false;
        const registry = stringOf(pairOf(map, 'registry'));
        const full = registry ? `${registry}/${repository}` : repository;
        if (!sameRepository(full, target.repository) ||
            /[:@]/.test(repository.split('/').pop() ?? '')) {
            return false;
        }
        matches++;
        const tagPair = pairOf(map, 'tag');
        const digestPair = pairOf(map, 'digest');
        const oldTag = tagPair && (0,dist/* isScalar */.jn)(tagPair.value)
            ? String(tagPair.value.value ?? '')
            : '';
        const oldDigest = stringOf(digestPair);
        let changed = false;
        if (tagPair)
            changed =
                setScalar(tagPair.value, [...path, 'tag'], target.tag) ||
                    changed;
        else {
            insertAfter(map, repositoryPair, path, 'tag', target.tag);
            changed = true;
        }
        if (digestPair) {
            changed =
                setScalar(digestPair.value, [...path, 'digest'], target.digest) || changed;
        }
        if (changed) {
            changes.push({
                document: doc,
                path: formatPath(path),
                kind: 'helm',
                from: `${full}${oldTag ? `:${oldTag}` : ''}${oldDigest ? `@${oldDigest}` : ''}`,
                to: `${full}:${target.tag}${digestPair ? `@${target.digest}` : ''}`
            });
        }
        return true;
    };
    const editReference = (doc, node, path) => {
        const value = node.value;
        if (!sameRepository(value, target.repository))
            return;
        // A bare name is an image only under an `image` key (containers, compose); elsewhere it is a
        // name other tools keep (Flux ImageRepository, Argo CD image lists, config values).
        const underImageKey = path[path.length - 1] === 'image' ||
            (path[path.length - 1] === 'reference' &&
                path[path.length - 2] === 'image'); // image volumes
        if (!underImageKey && !/[:@]/.test(value.split('/').pop() ?? ''))
            return;
        matches++;
        const next = `${namePart(value)}:${target.tag}@${target.digest}`;
        if (setScalar(node, path, next)) {
            changes.push({
                document: doc,
                path: formatPath(path),
                kind: 'reference',
                from: value,
                to: next
            });
        }
    };
    const walk = (doc, node, path, kustomization) => {
        if ((0,dist/* isMap */.jh)(node)) {
            const helm = editHelmImage(doc, node, path);
            for (const pair of node.items) {
                if (!(0,dist/* isPair */.tO)(pair) || !(0,dist/* isScalar */.jn)(pair.key))
                    continue;
                const key = String(pair.key.value);
                if (helm && ['repository', 'registry', 'tag', 'digest'].includes(key))
                    continue;
                const childPath = [...path, key];
                if (kustomization &&
                    path.length === 0 &&
                    key === 'images' &&
                    (0,dist/* isSeq */.oP)(pair.value)) {
                    pair.value.items.forEach((entry, i) => {
                        if ((0,dist/* isMap */.jh)(entry))
                            editKustomizeEntry(doc, entry, [...childPath, i]);
                    });
                    continue;
                }
                walkValue(doc, pair.value, childPath, kustomization);
            }
        }
        else if ((0,dist/* isSeq */.oP)(node)) {
            node.items.forEach((item, i) => walkValue(doc, item, [...path, i], kustomization));
        }
    };
    const walkValue = (doc, node, path, kustomization) => {
        if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string')
            editReference(doc, node, path);
        else
            walk(doc, node, path, kustomization);
    };
    /**
     * Flux image-automation setters: `# {"$imagepolicy": "ns:policy:name|tag|digest"}` on fields
     * anywhere in a document. When a policy's `:name` field names the image, its `:tag` and
     * `:digest` fields are set; fields marked with the whole reference go through the rules above.
     */
    const editFluxMarkers = (doc, contents) => {
        const groups = new Map();
        const collect = (node, path) => {
            if ((0,dist/* isMap */.jh)(node)) {
                for (const pair of node.items) {
                    if (!(0,dist/* isPair */.tO)(pair) || !(0,dist/* isScalar */.jn)(pair.key))
                        continue;
                    const childPath = [...path, String(pair.key.value)];
                    const marker = (0,dist/* isScalar */.jn)(pair.value)
                        ? /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/.exec(pair.value.comment ?? '')
                        : null;
                    if (marker && (0,dist/* isScalar */.jn)(pair.value)) {
                        const parts = marker[1].split(':');
                        const policy = parts.slice(0, 2).join(':');
                        const list = groups.get(policy) ?? [];
                        list.push({
                            field: parts[2] ?? '',
                            node: pair.value,
                            path: childPath
                        });
                        groups.set(policy, list);
                    }
                    collect(pair.value, childPath);
                }
            }
            else if ((0,dist/* isSeq */.oP)(node)) {
                node.items.forEach((item, i) => collect(item, [...path, i]));
            }
        };
        collect(contents, []);
        for (const fields of groups.values()) {
            const name = fields.find(f => f.field === 'name');
            if (!name ||
                typeof name.node.value !== 'string' ||
                !sameRepository(name.node.value, target.repository))
                continue;
            matches++;
            for (const { field, node, path } of fields) {
                const value = field === 'tag'
                    ? target.tag
                    : field === 'digest'
                        ? target.digest
                        : undefined;
                if (value === undefined)
                    continue;
                const from = String(node.value ?? '');
                if (setScalar(node, path, value)) {
                    changes.push({
                        document: doc,
                        path: formatPath(path),
                        kind: 'flux-marker',
                        from: `${name.node.value}:${from}`,
                        to: `${name.node.value}:${value}`
                    });
                }
            }
        }
    };
    const editNamedPaths = (doc, document) => {
        for (const named of target.paths ?? []) {
            if (!document.hasIn(named.path))
                continue;
            const node = document.getIn(named.path, true);
            if (!(0,dist/* isScalar */.jn)(node)) {
                warnings.push(`${file}: ${formatPath(named.path)} is not a single value; manifest-paths left it alone`);
                continue;
            }
            const value = named.field === 'tag'
                ? target.tag
                : named.field === 'digest'
                    ? target.digest
                    : `${target.repository}:${target.tag}@${target.digest}`;
            matches++;
            const from = (0,dist/* isScalar */.jn)(node) ? String(node.value ?? '') : '';
            if (setScalar(node, named.path, value)) {
                changes.push({
                    document: doc,
                    path: formatPath(named.path),
                    kind: 'named-path',
                    from,
                    to: value
                });
            }
        }
    };
    documents.forEach((doc, i) => {
        const contents = doc.contents;
        editNamedPaths(i, doc);
        editFluxMarkers(i, contents);
        const kustomization = kustomizationNames.has((0,external_node_path_.basename)(file)) ||
            ((0,dist/* isMap */.jh)(contents) &&
                stringOf(pairOf(contents, 'kind')) === 'Kustomization');
        walk(i, contents, [], kustomization);
    });
    // From the end backwards; insertions at the same offset in reverse order, so they read in order.
    const ordered = splices.map((splice, order) => ({ ...splice, order }));
    ordered.sort((a, b) => b.start - a.start || b.order - a.order);
    let text = src;
    for (const s of ordered)
        text = text.slice(0, s.start) + s.text + text.slice(s.end);
    // The edited text must parse, and differ from the original only at the intended paths.
    if (splices.length) {
        for (const apply of intended)
            apply();
        verifyEdit(file, src, text, documents.map(d => d.toJS()));
    }
    return { text, changes, matches, warnings };
}
function verifyEdit(file, before, after, want) {
    const parse = (text) => {
        const docs = (0,dist/* parseAllDocuments */.hR)(text);
        const list = Array.isArray(docs) ? docs : [];
        for (const doc of list) {
            if (doc.errors.length) {
                throw new ManifestError(file, undefined, `editing produced invalid YAML (${doc.errors[0].message}); nothing was written`);
            }
        }
        return list.map(d => d.toJS());
    };
    const got = parse(after);
    if (!(0,external_node_util_.isDeepStrictEqual)(got, want)) {
        throw new ManifestError(file, undefined, 'the edited file reads differently than intended; nothing was written');
    }
    const eolBefore = before.includes('\r\n');
    const eolAfter = after.includes('\r\n');
    if (eolBefore !== eolAfter || (!eolBefore && after.includes('\r'))) {
        throw new ManifestError(file, undefined, 'editing changed the line endings; nothing was written');
    }
}


/***/ }),

/***/ 3916:
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

/***/ 7844:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ failureMessages)
/* harmony export */ });
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3916);
/* harmony import */ var _registry_client__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(690);


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

/***/ 8265:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vj: () => (/* binding */ inputNames),
  TL: () => (/* binding */ parseInputs)
});

// UNUSED EXPORTS: inputDefaults, parseCommand

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/build/layer-spec.ts
var layer_spec = __nccwpck_require__(7489);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/oci/platform.ts
var platform = __nccwpck_require__(1890);
// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(2148);
// EXTERNAL MODULE: ./src/sign/keys.ts
var keys = __nccwpck_require__(2821);
// EXTERNAL MODULE: ./src/deploy/yaml-edit.ts + 1 modules
var yaml_edit = __nccwpck_require__(9015);
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
    attest: 'true',
    'manifest-commit': 'push',
    'commit-message': 'deploy: {{image}}@{{digest}} ({{short_sha}})',
    'manifest-no-match': 'error',
    'push-by-digest': 'false',
    compression: 'gzip',
    comment: 'true'
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
    'attest',
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
    'comment'
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
    const mergeDigests = field('merge-digests', value => parseList(value), []);
    const layers = field('layers', value => {
        const lines = parseList(value);
        if (mergeDigests.length > 0) {
            if (lines.length > 0) {
                throw new Error('is not used with merge-digests, which assembles images already pushed; remove one of them');
            }
            return [];
        }
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
    const manifestRepository = field('manifest-repository', optional(value => {
        if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value)) {
            throw new Error(`"${value}" is not OWNER/REPOSITORY`);
        }
        return value;
    }), undefined);
    const pushByDigest = field('push-by-digest', parseBoolean, false);
    if (pushByDigest && mergeDigests.length > 0) {
        errors.push(new src_errors/* InputError */.dz('push-by-digest', 'cannot be combined with merge-digests: the fan-out job pushes by digest, the fan-in job merges'));
    }
    else if (pushByDigest && !push) {
        errors.push(new src_errors/* InputError */.dz('push-by-digest', 'needs push: true (it pushes the image without tags)'));
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
        attest: field('attest', parseBoolean, true),
        manifests: field('manifests', value => parseList(value), []),
        manifestCommit: field('manifest-commit', value => {
            if (value === 'push' || value === 'none' || value === 'pull-request')
                return value;
            throw new Error(`"${value}" is not one of push, pull-request, none`);
        }, 'none'),
        manifestRepository,
        manifestToken: get('manifest-token').trim() ||
            (get('github-token') === '' ? undefined : get('github-token')),
        manifestBranch: field('manifest-branch', optional(value => {
            if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.includes('..')) {
                throw new Error(`"${value}" is not a valid branch name`);
            }
            return value;
        }), undefined),
        commitMessage: field('commit-message', value => value, ''),
        pushByDigest,
        mergeDigests,
        comment: field('comment', parseBoolean, true),
        compression: field('compression', value => {
            if (value === 'gzip' || value === 'zstd')
                return value;
            throw new Error(`"${value}" is not gzip or zstd`);
        }, 'gzip'),
        manifestPaths: field('manifest-paths', value => parseList(value).map(yaml_edit/* parseNamedPath */.Io), []),
        manifestNoMatch: field('manifest-no-match', value => {
            if (value === 'error' || value === 'warning')
                return value;
            throw new Error(`"${value}" is not error or warning`);
        }, 'error')
    };
    if (errors.length)
        throw new src_errors/* InputErrors */.G(errors);
    return inputs;
}


/***/ }),

/***/ 8825:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   sU: () => (/* binding */ digestHex),
/* harmony export */   sc: () => (/* binding */ sha256)
/* harmony export */ });
/* unused harmony export parseDigest */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
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

/***/ 7812:
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
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8825);
/* harmony import */ var _media_types__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9217);




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

/***/ 9217:
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

/***/ 2148:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   LN: () => (/* binding */ Repository),
/* harmony export */   OR: () => (/* binding */ Registry),
/* harmony export */   z7: () => (/* binding */ validateTag)
/* harmony export */ });
/* unused harmony exports dockerHub, Reference */
/* harmony import */ var _digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8825);

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

/***/ 9133:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  t: () => (/* binding */ buildLayers)
});

// UNUSED EXPORTS: formatBytes

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
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
var layer_spec = __nccwpck_require__(7489);
// EXTERNAL MODULE: ./src/build/layer.ts + 2 modules
var build_layer = __nccwpck_require__(9117);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(7812);
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
    const compressor = (0,build_layer/* compressorId */.Db)(options.compression);
    const tarOptions = {
        mtime: options.mtime,
        uid: options.uid,
        gid: options.gid
    };
    const built = await (0,pool/* mapBounded */.y)(jobs, options.jobs, async (job, i) => {
        const where = { source: job.source, destination: job.destination };
        if (options.reuse) {
            const { diffId, size } = await (0,build_layer/* tarDigest */.yM)(entryLists[i], tarOptions);
            const previous = await options.reuse(diffId);
            if (previous) {
                options.log.info(`${job.source} → ${job.destination}: unchanged (diffID ${diffId.slice(0, 19)}), reusing ${previous.descriptor.digest} from ${previous.built?.reusedFrom} without compressing`);
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
        const layer = await (0,build_layer/* writeLayer */.By)(entryLists[i], tarOptions, (0,external_node_path_.join)(options.scratchDir, `layer-${i}.blob`), options.compression);
        options.log.info(`${job.source} → ${job.destination}: ${layer.entries} entries, ${layer.digest} (${formatBytes(layer.size)})`);
        return (0,oci_image/* fileBlob */.Ax)({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, layer.path, {
            diffId: layer.diffId,
            uncompressedSize: layer.uncompressedSize,
            ...where,
            compressor
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

/***/ 2222:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Nk: () => (/* binding */ metadataOf)
/* harmony export */ });
/* unused harmony exports outputsOf, escapeCell, renderSummary, renderFailureSummary */
/* harmony import */ var _layers__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9133);

/** Output name → value, as `action.yml` declares them. */
function outputsOf(result) {
    return {
        digest: result.digest,
        image: result.image,
        tags: result.tags.join('\n'),
        'config-digest': result.configDigest ?? '',
        platform: result.platforms.map(p => p.platform).join(','),
        signature: result.signatures[0]?.legacy ?? '',
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
        signatures: result.signatures,
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

/***/ 9911:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  a: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/oci/image.ts
var oci_image = __nccwpck_require__(7812);
// EXTERNAL MODULE: ./src/oci/platform.ts
var oci_platform = __nccwpck_require__(1890);
;// CONCATENATED MODULE: ./src/oci/types.ts
/** An RFC 3339 timestamp in UTC without fractional seconds, as images carry them. */
function rfc3339(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(7481);
// EXTERNAL MODULE: ./src/registry/client.ts + 1 modules
var registry_client = __nccwpck_require__(690);
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
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __nccwpck_require__(6466);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(8825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(9217);
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

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
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
    const previousCommits = [];
    const add = (commit) => {
        if (commit &&
            /^[0-9a-f]{40}$/.test(commit) &&
            !/^0+$/.test(commit) &&
            commit !== sha &&
            !previousCommits.includes(commit)) {
            previousCommits.push(commit);
        }
    };
    add(event.before);
    add(event.pull_request?.base?.sha);
    if (sha) {
        const parents = await git(workingDirectory, 'rev-list', '--skip=1', '--max-count=3', sha);
        for (const parent of parents?.split('\n') ?? [])
            add(parent.trim());
    }
    const head = event.pull_request?.head?.repo?.full_name;
    const baseRepo = event.pull_request?.base?.repo?.full_name;
    return {
        sha,
        branch,
        previousCommits,
        baseCommit: isPullRequest ? event.pull_request?.base?.sha : undefined,
        baseBranch: isPullRequest ? event.pull_request?.base?.ref : undefined,
        repository: env.GITHUB_REPOSITORY,
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
        sourceDateOrigin
    };
}
/** Whether the run is for a pull request (its head commit, no commits to branches). */
function isPullRequest(context) {
    return (context.eventName === 'pull_request' ||
        context.eventName === 'pull_request_target');
}

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
                        destination: layer.built.destination,
                        ...(layer.built.reusedFrom
                            ? { reusedFrom: layer.built.reusedFrom }
                            : {})
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
        signatures: [],
        ...(context.pr !== undefined
            ? { pullRequest: { number: context.pr, baseBranch: context.baseBranch } }
            : {})
    };
}

// EXTERNAL MODULE: ./src/oci/reference.ts
var reference = __nccwpck_require__(2148);
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

;// CONCATENATED MODULE: ./src/pipeline/compare.ts




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
 * Compares the built image with the image of the base commit (by its tag), per platform and per
 * layer position. `undefined` when the base commit has no image.
 */
async function compareWithBase(client, repo, artifact, tag) {
    const top = await client.findManifest(repo, tag);
    if (!top)
        return undefined;
    const theirs = new Map();
    if ((0,media_types/* isIndex */.nw)(top.mediaType)) {
        const index = JSON.parse(top.bytes.toString('utf8'));
        for (const d of index.manifests) {
            if (!d.platform)
                continue;
            const child = await client.getManifest(repo, d.digest);
            theirs.set((0,oci_platform/* formatPlatform */.Bq)(d.platform), {
                manifest: JSON.parse(child.bytes.toString('utf8'))
            });
        }
    }
    else {
        const manifest = JSON.parse(top.bytes.toString('utf8'));
        const config = JSON.parse((await client.getBlobBytes(repo, manifest.config.digest)).toString('utf8'));
        theirs.set((0,oci_platform/* formatPlatform */.Bq)({
            os: config.os,
            architecture: config.architecture,
            variant: config.variant
        }), { manifest });
    }
    const images = artifact.kind === 'image' ? [artifact] : artifact.images;
    const platforms = images.map(img => {
        const key = (0,oci_platform/* formatPlatform */.Bq)(img.platform);
        const base = theirs.get(key)?.manifest.layers ?? [];
        const ours = img.layers.map(l => ({
            digest: l.descriptor.digest,
            size: l.descriptor.size,
            source: l.built?.source
        }));
        return comparePlatform(key, ours, base.map(l => ({ digest: l.digest, size: l.size })));
    });
    // The base image digest is recorded per platform: compare the same platform on both sides.
    const firstTheirs = theirs.get((0,oci_platform/* formatPlatform */.Bq)(images[0].platform))?.manifest;
    return {
        reference: `${repo}:${tag}`,
        digest: top.digest,
        platforms,
        baseImage: {
            before: firstTheirs?.annotations?.[annotationKeys.baseDigest],
            after: images[0].manifest.annotations?.[annotationKeys.baseDigest]
        }
    };
}
/** The comparison with the base commit's image; a missing image or any error is only a warning. */
async function compareBase(inputs, context, registries, artifact, log) {
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
        });
        const comparison = await compareWithBase(registries.client(inputs.image.registry), inputs.image, artifact, tag);
        if (!comparison)
            log.info(`no image for the base commit ${context.baseCommit.slice(0, 7)} (${inputs.image}:${tag}); nothing to compare`);
        return comparison;
    }
    catch (error) {
        log.warning(`could not compare with the base branch's image: ${error.message}`);
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/registry/errors.ts
var registry_errors = __nccwpck_require__(6764);
// EXTERNAL MODULE: ./src/build/layer.ts + 2 modules
var build_layer = __nccwpck_require__(9117);
;// CONCATENATED MODULE: ./src/pipeline/reuse.ts



/**
 * The diffID → blob map of previous images of the same repository (e.g. the parent commit's):
 * each config's `diff_ids` paired with its manifest's layers, counted from the end, where our
 * layers are, and kept only for layers whose history names the compressor settings.
 */
async function previousLayers(client, repo, tags, log) {
    const map = new Map();
    for (const tag of tags) {
        try {
            const top = await client.findManifest(repo, tag);
            if (!top)
                continue;
            const manifests = (0,media_types/* isIndex */.nw)(top.mediaType)
                ? await Promise.all(JSON.parse(top.bytes.toString('utf8')).manifests.map(d => client.getManifest(repo, d.digest)))
                : [top];
            for (const found of manifests) {
                const manifest = JSON.parse(found.bytes.toString('utf8'));
                if (!manifest.config || !Array.isArray(manifest.layers))
                    continue;
                const config = JSON.parse((await client.getBlobBytes(repo, manifest.config.digest)).toString('utf8'));
                const history = (config.history ?? []).filter(h => !h.empty_layer);
                const diffIds = config.rootfs?.diff_ids ?? [];
                if (diffIds.length !== manifest.layers.length)
                    continue;
                for (let k = 1; k <= Math.min(history.length, manifest.layers.length); k++) {
                    const comment = history[history.length - k].comment ?? '';
                    if (!comment.startsWith('imprint, '))
                        continue;
                    const diffId = diffIds[diffIds.length - k];
                    if (!map.has(diffId)) {
                        map.set(diffId, {
                            descriptor: manifest.layers[manifest.layers.length - k],
                            compressor: comment.slice('imprint, '.length),
                            from: `${repo}:${tag}`
                        });
                    }
                }
            }
        }
        catch (error) {
            log.debug(`previous image ${repo}:${tag} not usable for layer reuse: ${error.message}`);
        }
    }
    return map;
}
/**
 * A lookup for the layer stage: a hit must come from the same compressor settings (so the blob is
 * what a full build would write), still exist, and decompress to the diffID (so a wrong entry
 * cannot slip through). Anything else is a miss, and the layer is built in full.
 */
function reuseLookup(client, repo, map, compressor, log) {
    return async (diffId) => {
        const candidate = map.get(diffId);
        if (!candidate)
            return undefined;
        if (candidate.compressor !== compressor) {
            log.info(`${diffId.slice(0, 19)}: ${candidate.from} wrote it with ${candidate.compressor}, not ${compressor}; building`);
            return undefined;
        }
        const { descriptor } = candidate;
        try {
            const actual = await (0,build_layer/* diffIdOfBlob */.nz)(await client.getBlob(repo, descriptor.digest), descriptor.mediaType);
            if (actual !== diffId) {
                log.warning(`${candidate.from} pairs ${descriptor.digest} with diffID ${diffId}, but it decompresses to ${actual}; building the layer instead`);
                return undefined;
            }
        }
        catch (error) {
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
            open: offset => client.getBlob(repo, descriptor.digest, offset),
            built: {
                diffId,
                uncompressedSize: 0,
                source: '',
                destination: '',
                compressor,
                reusedFrom: candidate.from
            }
        };
    };
}
/**
 * Layers unchanged since a previous image (the parent commit's, the PR base's) are not compressed
 * again: their tar is hashed and the previous blob reused, after checking it.
 */
async function reuseFromPrevious(inputs, context, registries, log) {
    // Only templates that name the commit tell which tag a previous commit's image has.
    const templates = inputs.tags.filter(t => /\{\{\s*(sha|short_sha)\s*\}\}/.test(t));
    const tags = context.previousCommits.flatMap(sha => {
        try {
            return renderTags(templates, { ...context, sha });
        }
        catch {
            return [];
        }
    });
    if (tags.length === 0)
        return undefined;
    const client = registries.client(inputs.image.registry);
    const map = await previousLayers(client, inputs.image, tags, log);
    if (map.size === 0)
        return undefined;
    log.info(`layer reuse: ${map.size} layers known from ${tags.length} previous image tags`);
    return reuseLookup(client, inputs.image, map, (0,build_layer/* compressorId */.Db)(inputs.compression), log);
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

// EXTERNAL MODULE: ./src/pipeline/layers.ts + 1 modules
var pipeline_layers = __nccwpck_require__(9133);
;// CONCATENATED MODULE: ./src/pipeline/build.ts




/** Resolves the base, builds the layers and assembles the image (or index). */
async function buildArtifact(inputs, context, registries, options) {
    const { log } = options;
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
        workingDirectory: options.workingDirectory,
        scratchDir: options.scratchDir,
        mtime: context.sourceDateEpoch,
        uid: inputs.layerOwner.uid,
        gid: inputs.layerOwner.gid,
        jobs: options.jobs,
        compression: inputs.compression,
        reuse: options.reuse,
        log
    }));
    const artifact = await log.group('Assemble', async () => {
        const result = assemble(base, layers, inputs, context);
        log.info(`${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`);
        return result;
    });
    return { base, artifact };
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
/** An image already in the registry, as an `Image` whose bytes are exactly the stored ones. */
async function remoteImage(client, repo, digest, bytes) {
    const manifest = JSON.parse(bytes.toString('utf8'));
    const configBytes = await client.getBlobBytes(repo, manifest.config.digest);
    const config = JSON.parse(configBytes.toString('utf8'));
    const configBlob = (0,oci_image/* bytesBlob */.XU)(manifest.config.mediaType, configBytes);
    const layers = manifest.layers.map(descriptor => ({
        descriptor,
        origin: repo,
        open: offset => client.getBlob(repo, descriptor.digest, offset)
    }));
    const platform = {
        os: config.os,
        architecture: config.architecture,
        ...(config.variant ? { variant: config.variant } : {}),
        ...(config['os.version'] ? { 'os.version': config['os.version'] } : {})
    };
    return {
        kind: 'image',
        platform,
        manifest,
        manifestBytes: bytes,
        digest,
        config,
        configBlob,
        layers
    };
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
            found = await client.getManifest(repo, digest);
        }
        catch (error) {
            if (error instanceof registry_errors/* RegistryError */.gl && error.status === 404) {
                throw new errors/* InputError */.dz('merge-digests', `${repo}@${digest} does not exist; push the platform images (push-by-digest) first`);
            }
            throw error;
        }
        if ((0,media_types/* isIndex */.nw)(found.mediaType)) {
            const nested = JSON.parse(found.bytes.toString('utf8'));
            for (const child of nested.manifests.filter(d => (0,media_types/* isImageManifest */.pJ)(d.mediaType) && d.platform?.os !== 'unknown')) {
                const bytes = (await client.getManifest(repo, child.digest)).bytes;
                images.push(await remoteImage(client, repo, child.digest, bytes));
            }
        }
        else if ((0,media_types/* isImageManifest */.pJ)(found.mediaType)) {
            images.push(await remoteImage(client, repo, digest, found.bytes));
        }
        else {
            throw new errors/* InputError */.dz('merge-digests', `${digest} is a ${found.mediaType || 'manifest of unknown type'}, not an image`);
        }
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

// EXTERNAL MODULE: ./src/sign/bundle-referrer.ts
var bundle_referrer = __nccwpck_require__(5813);
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
var legacy_sig = __nccwpck_require__(3110);
// EXTERNAL MODULE: ./src/sign/payload.ts
var sign_payload = __nccwpck_require__(5911);
// EXTERNAL MODULE: ./src/sign/verify.ts
var verify = __nccwpck_require__(2132);
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

// EXTERNAL MODULE: ./src/deploy/yaml-edit.ts + 1 modules
var yaml_edit = __nccwpck_require__(9015);
;// CONCATENATED MODULE: ./src/deploy/manifests.ts



/** A listed file or pattern the run cannot use; named so the user can fix the `manifests` input. */
class ManifestInputError extends Error {
}
/** Expands the `manifests` list (files and globs, relative to the repository root) in order. */
async function expandManifests(root, patterns) {
    const files = [];
    for (const pattern of patterns) {
        if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
            throw new ManifestInputError(`"${pattern}" must be relative to the repository root and stay inside it`);
        }
        const found = [];
        for await (const match of (0,promises_.glob)(pattern, { cwd: root }))
            found.push(match.split('\\').join('/'));
        if (found.length === 0) {
            throw new ManifestInputError(`"${pattern}" matches no file in ${root}`);
        }
        for (const file of found.sort())
            if (!files.includes(file))
                files.push(file);
    }
    return files;
}
/**
 * Reads and edits every file in memory: a parse error, or a file without the image when
 * `requireMatch`, stops the run here, before anything is pushed or written.
 */
async function planManifests(root, files, target, requireMatch) {
    const plans = [];
    const warnings = [];
    for (const path of files) {
        const before = await (0,promises_.readFile)((0,external_node_path_.join)(root, path), 'utf8');
        const edit = (0,yaml_edit/* editManifest */.Ss)(path, before, target);
        warnings.push(...edit.warnings);
        if (edit.matches === 0) {
            const message = `${path} has no reference to ${target.repository}`;
            if (requireMatch)
                throw new ManifestInputError(`${message} (set manifest-no-match: warning to allow this)`);
            warnings.push(message);
        }
        plans.push({
            path,
            before,
            after: edit.text,
            changes: edit.changes,
            matches: edit.matches
        });
    }
    return { files: plans, warnings };
}
/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function writeAtomically(file, text) {
    const temporary = `${file}.imprint-${process.pid}.tmp`;
    try {
        await (0,promises_.writeFile)(temporary, text);
        await (0,promises_.rename)(temporary, file);
    }
    finally {
        await (0,promises_.rm)(temporary, { force: true });
    }
}
/**
 * The changed lines as a unified diff without context (an LCS over lines; manifests are small),
 * for the log and previews.
 */
function lineDiff(plan) {
    const a = plan.before.split('\n').map(l => l.replace(/\r$/, ''));
    const b = plan.after.split('\n').map(l => l.replace(/\r$/, ''));
    const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            lcs[i][j] =
                a[i] === b[j]
                    ? lcs[i + 1][j + 1] + 1
                    : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const out = [`--- a/${plan.path}`, `+++ b/${plan.path}`];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            i++;
            j++;
            continue;
        }
        const hunk = [];
        const [startA, startB] = [i, j];
        while ((i < a.length || j < b.length) &&
            !(i < a.length && j < b.length && a[i] === b[j])) {
            if (j >= b.length || (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1]))
                hunk.push(`-${a[i++]}`);
            else
                hunk.push(`+${b[j++]}`);
        }
        out.push(`@@ -${startA + 1},${i - startA} +${startB + 1},${j - startB} @@`, ...hunk);
    }
    return out.join('\n');
}
function relativeTo(root, file) {
    return relative(root, resolve(root, file)).split('\\').join('/');
}

;// CONCATENATED MODULE: ./src/deploy/git.ts







const execFileAsync = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
class GitError extends Error {
    args;
    stderr;
    constructor(args, stderr) {
        super(`git ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
        this.args = args;
        this.stderr = stderr;
        this.name = 'GitError';
    }
}
/** Runs git; identity comes from `identity` when the repository has none configured. */
async function git_git(cwd, args, extraConfig = []) {
    // Settings (credentials among them) go through the environment, not argv, where any process
    // on the machine could read them.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
    if (extraConfig.length) {
        env.GIT_CONFIG_COUNT = String(extraConfig.length);
        extraConfig.forEach((entry, i) => {
            const eq = entry.indexOf('=');
            env[`GIT_CONFIG_KEY_${i}`] = entry.slice(0, eq);
            env[`GIT_CONFIG_VALUE_${i}`] = entry.slice(eq + 1);
        });
    }
    try {
        const { stdout } = await execFileAsync('git', args, {
            cwd,
            maxBuffer: 64 * 1024 * 1024,
            env
        });
        return stdout.trim();
    }
    catch (error) {
        throw new GitError(args, error.stderr ?? String(error));
    }
}
/** What `git push` says when someone else pushed first: fetch, re-apply and try again. */
function isRejectedPush(error) {
    return (error instanceof GitError &&
        /non-fast-forward|fetch first|\[rejected\]|stale info|incorrect old value|failed to update ref|cannot lock ref/i.test(error.stderr));
}
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
/**
 * Commits the manifest edits onto `branch` and pushes, in a temporary worktree so the user's
 * checkout is untouched. When the push is rejected because the branch moved, the new head is
 * fetched and the edits are applied again to its content (never a stale diff), a few times with
 * jitter: a concurrent merge is never lost.
 */
async function commitAndPush(options) {
    const { root, remote, branch, log } = options;
    const remoteConfig = options.remoteConfig ?? [];
    const attempts = options.attempts ?? 8;
    const identity = [];
    if (!(await git_git(root, ['config', 'user.name']).catch(() => ''))) {
        identity.push('user.name=github-actions[bot]', 'user.email=41898282+github-actions[bot]@users.noreply.github.com');
    }
    // A full clone stays full: --depth would make it shallow and cut the history later steps read.
    const shallow = (await git_git(root, ['rev-parse', '--is-shallow-repository'])) === 'true';
    const depth = shallow ? ['--depth=1'] : [];
    const worktree = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'imprint-manifests-'));
    let added = false;
    try {
        for (let attempt = 1;; attempt++) {
            await git_git(root, ['fetch', '--no-tags', ...depth, remote, `refs/heads/${branch}`], remoteConfig);
            const head = await git_git(root, ['rev-parse', 'FETCH_HEAD']);
            if (!added) {
                await git_git(root, ['worktree', 'add', '--detach', worktree, head]);
                added = true;
            }
            else {
                await git_git(worktree, ['reset', '--hard', head]);
            }
            const changed = [];
            const applied = [];
            for (const file of options.files) {
                const path = (0,external_node_path_.join)(worktree, file);
                const before = await (0,promises_.readFile)(path, 'utf8').catch(() => undefined);
                if (before === undefined) {
                    log.warning(`${file} no longer exists on ${branch}; skipped`);
                    continue;
                }
                const edit = (0,yaml_edit/* editManifest */.Ss)(file, before, options.target);
                const allowed = [];
                for (const change of edit.changes) {
                    if (!options.allow || (await options.allow(change, worktree)))
                        allowed.push(change);
                }
                if (allowed.length === 0)
                    continue;
                if (allowed.length !== edit.changes.length) {
                    log.warning(`${file}: some references were skipped by the ordering guard; the file is left as it is`);
                    continue;
                }
                await writeAtomically(path, edit.text);
                changed.push(file);
                applied.push(...allowed.map(change => ({ path: file, change })));
            }
            if (changed.length === 0) {
                log.info(`manifests on ${branch} already point at the image; nothing to commit`);
                return { changed, changes: applied, attempts: attempt };
            }
            await git_git(worktree, ['add', '--', ...changed]);
            await git_git(worktree, ['commit', '--quiet', '-m', options.message], identity);
            try {
                const target = options.pushTo ?? branch;
                if (options.pushTo && options.allow) {
                    // The pull request branch may hold a newer build's change: never force an older one over it.
                    const existing = (await git_git(root, ['ls-remote', remote, `refs/heads/${target}`], remoteConfig)).split(/\s/)[0];
                    if (existing) {
                        await git_git(root, ['fetch', '--no-tags', ...depth, remote, `refs/heads/${target}`], remoteConfig);
                        for (const file of changed) {
                            const theirs = await git_git(root, [
                                'show',
                                `FETCH_HEAD:${file}`
                            ]).catch(() => undefined);
                            if (theirs === undefined)
                                continue;
                            for (const change of (0,yaml_edit/* editManifest */.Ss)(file, theirs, options.target)
                                .changes) {
                                if (!(await options.allow(change, worktree))) {
                                    log.warning(`${target} already holds a newer image in ${file}; not replacing it`);
                                    return { changed: [], changes: [], attempts: attempt };
                                }
                            }
                        }
                    }
                }
                if (options.pushTo) {
                    // The pull request branch may already hold exactly this change: leave it (and the PR) as is.
                    const existing = (await git_git(root, ['ls-remote', remote, `refs/heads/${target}`], remoteConfig)).split(/\s/)[0];
                    if (existing) {
                        await git_git(root, ['fetch', '--no-tags', ...depth, remote, `refs/heads/${target}`], remoteConfig);
                        const [theirs, ours] = await Promise.all([
                            git_git(root, ['rev-parse', 'FETCH_HEAD^{tree}']),
                            git_git(worktree, ['rev-parse', 'HEAD^{tree}'])
                        ]);
                        if (theirs === ours)
                            return {
                                commit: existing,
                                changed,
                                changes: applied,
                                attempts: attempt,
                                unchanged: true
                            };
                    }
                }
                await git_git(worktree, [
                    'push',
                    '--quiet',
                    ...(options.pushTo ? ['--force'] : []),
                    remote,
                    `HEAD:refs/heads/${target}`
                ], remoteConfig);
                const commit = await git_git(worktree, ['rev-parse', 'HEAD']);
                return { commit, changed, changes: applied, attempts: attempt };
            }
            catch (error) {
                if (!isRejectedPush(error) || attempt >= attempts)
                    throw error;
                const delay = Math.round(Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random()));
                log.info(`${branch} moved while committing (attempt ${attempt}); re-applying on the new head in ${delay} ms`);
                await sleep(delay);
            }
        }
    }
    finally {
        if (added)
            await git_git(root, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
        await (0,promises_.rm)(worktree, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/deploy/ordering.ts

// A commit SHA as a tag (`name:<sha>[@digest]`) or as a bare value (a tag field).
const commitTag = /(?:^|:)([0-9a-f]{40})(?:@|$)/;
function isAncestor(cwd, ancestor, descendant) {
    return new Promise(resolve => {
        (0,external_node_child_process_namespaceObject.execFile)('git', ['merge-base', '--is-ancestor', ancestor, descendant], { cwd }, error => {
            if (!error)
                resolve('yes');
            else
                resolve(error.code === 1 ? 'no' : 'unknown');
        });
    });
}
/**
 * The ordering guard: a deployed image tagged with a commit that descends from ours is newer,
 * so an out-of-order build must not replace it. Commits the checkout does not have are fetched
 * once; when the order still cannot be told, the update goes ahead with a notice.
 */
function orderingGuard(sha, 
/** The checkout of the source repository: image tags are its commits (not the GitOps repository's). */
cwd, remote, log) {
    return async (change) => {
        const deployed = commitTag.exec(change.from)?.[1];
        if (!sha || !deployed || deployed === sha)
            return true;
        let newer = await isAncestor(cwd, sha, deployed);
        if (newer === 'unknown') {
            // Only a shallow checkout is deepened; a full clone is fetched into without --depth.
            const shallow = await new Promise(resolve => (0,external_node_child_process_namespaceObject.execFile)('git', ['rev-parse', '--is-shallow-repository'], { cwd }, (_error, out) => resolve(String(out).trim() === 'true')));
            await new Promise(resolve => (0,external_node_child_process_namespaceObject.execFile)('git', [
                'fetch',
                '--no-tags',
                ...(shallow ? ['--depth=200'] : []),
                remote,
                deployed,
                sha
            ], { cwd }, () => resolve()));
            newer = await isAncestor(cwd, sha, deployed);
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

;// CONCATENATED MODULE: ./src/report/github.ts
class GitHubApiError extends Error {
    status;
    constructor(status, method, path, detail) {
        super(`GitHub API ${method} ${path}: ${status} ${detail}`);
        this.status = status;
        this.name = 'GitHubApiError';
    }
}
class GitHubApi {
    token;
    baseUrl;
    constructor(token, baseUrl = 'https://api.github.com') {
        this.token = token;
        this.baseUrl = baseUrl;
    }
    async call(method, path, body) {
        const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
            method,
            headers: {
                accept: 'application/vnd.github+json',
                authorization: `Bearer ${this.token}`,
                'x-github-api-version': '2022-11-28',
                'user-agent': 'imprint',
                ...(body ? { 'content-type': 'application/json' } : {})
            },
            body: body ? JSON.stringify(body) : undefined
        });
        const text = await res.text();
        if (!res.ok) {
            let detail = text.slice(0, 200);
            try {
                detail = JSON.parse(text).message ?? detail;
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
    createPull(owner, repo, pull) {
        return this.call('POST', `/repos/${owner}/${repo}/pulls`, pull);
    }
    updatePull(owner, repo, number, pull) {
        return this.call('PATCH', `/repos/${owner}/${repo}/pulls/${number}`, pull);
    }
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
            if (!(error instanceof GitHubApiError &&
                (error.status === 403 || error.status === 404)))
                throw error;
        }
    }
    const created = await api.createComment(target.owner, target.repo, target.issue, body);
    return { id: created.id, action: 'created' };
}

;// CONCATENATED MODULE: ./src/pipeline/deploy.ts













const deploy_run = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
const serverUrl = () => (process.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
async function repositoryRoot(cwd) {
    try {
        return (await deploy_run('git', ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim();
    }
    catch {
        return cwd;
    }
}
async function currentBranch(root, context) {
    if (context?.branch)
        return context.branch;
    try {
        return ((await deploy_run('git', ['symbolic-ref', '--short', 'HEAD'], { cwd: root })).stdout.trim() || undefined);
    }
    catch {
        return undefined;
    }
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
/** Clones the GitOps repository (one commit deep) into a temporary directory. */
async function cloneManifestRepository(inputs, repository) {
    const url = `${serverUrl()}/${repository}.git`;
    const remoteConfig = tokenConfig(url, inputs.manifestToken);
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'imprint-gitops-'));
    const cleanup = () => (0,promises_.rm)(dir, { recursive: true, force: true });
    const branchArgs = inputs.manifestBranch
        ? ['--branch', inputs.manifestBranch]
        : [];
    try {
        await git_git((0,external_node_os_.tmpdir)(), ['clone', '--quiet', '--depth=1', '--no-tags', ...branchArgs, url, dir], remoteConfig);
    }
    catch (error) {
        await cleanup();
        const stderr = error instanceof GitError ? error.stderr : String(error);
        if (inputs.manifestBranch && /Remote branch .* not found/i.test(stderr)) {
            throw new errors/* InputError */.dz('manifest-branch', `branch "${inputs.manifestBranch}" does not exist in ${repository}`);
        }
        throw new errors/* InputError */.dz('manifest-repository', `cannot clone ${repository} (${stderr.trim().split('\n').pop()}); manifest-token (or github-token) must reach it: an App token or PAT, as the job's GITHUB_TOKEN only reaches its own repository`);
    }
    const branch = inputs.manifestBranch ?? (await currentBranch(dir));
    if (!branch) {
        await cleanup();
        throw new errors/* InputError */.dz('manifest-repository', `${repository} has no default branch`);
    }
    return { root: dir, url, remoteConfig, branch, cleanup };
}
/**
 * Reads, parses and edits every manifest in memory as soon as the digest is known — before
 * anything is pushed — so that a malformed file, one without the image, a missing branch, an
 * unreachable GitOps repository or a pull-request mode without a token stops the run early.
 */
async function prepareDeploy(inputs, context, tag, digest, log) {
    if (inputs.manifests.length === 0)
        return undefined;
    const target = {
        repository: inputs.image,
        tag,
        digest,
        paths: inputs.manifestPaths
    };
    const commits = inputs.manifestCommit !== 'none' && !isPullRequest(context);
    const sourceRoot = await repositoryRoot(process.cwd());
    let root = sourceRoot;
    let remote = 'origin';
    let remoteConfig = [];
    let branch;
    let cleanup = async () => { };
    if (inputs.manifestRepository) {
        let clone;
        try {
            clone = await cloneManifestRepository(inputs, inputs.manifestRepository);
        }
        catch (error) {
            // A fork's pull request has no secrets: no preview then, but no failure either.
            if (!isPullRequest(context))
                throw error;
            log.warning(`manifest preview skipped: ${error.message}`);
            return undefined;
        }
        ;
        ({ root, remoteConfig, cleanup } = clone);
        remote = clone.url;
        branch = commits ? clone.branch : undefined;
    }
    else if (commits) {
        branch = inputs.manifestBranch ?? (await currentBranch(root, context));
        if (!branch) {
            throw new errors/* InputError */.dz('manifest-branch', 'the checkout is on no branch (detached HEAD); name the branch to commit to');
        }
        const name = branch;
        await deploy_run('git', ['ls-remote', '--exit-code', '--heads', 'origin', name], {
            cwd: root
        }).catch(error => {
            if (error.code === 2) {
                throw new errors/* InputError */.dz('manifest-branch', `branch "${name}" does not exist on origin; create it first or name another`);
            }
            log.warning(`could not check branch ${name} on origin: ${String(error.message).split('\n')[0]}`);
        });
    }
    const repository = inputs.manifestRepository ?? context.repository;
    try {
        if (commits &&
            inputs.manifestCommit === 'pull-request' &&
            (!repository || !inputs.manifestToken)) {
            throw new errors/* InputError */.dz('manifest-commit', 'pull-request needs the repository (GITHUB_REPOSITORY or manifest-repository) and a token (manifest-token or github-token) to open the pull request');
        }
        const files = await expandManifests(root, inputs.manifests);
        const plan = await planManifests(root, files, target, inputs.manifestNoMatch === 'error');
        for (const warning of plan.warnings)
            log.warning(warning);
        for (const file of plan.files.filter(f => f.changes.length))
            log.info(lineDiff(file));
        return {
            root,
            files,
            target,
            plan,
            branch,
            remote,
            remoteConfig,
            repository,
            sourceRoot,
            cleanup
        };
    }
    catch (error) {
        await cleanup();
        if (error instanceof ManifestInputError || error instanceof yaml_edit/* ManifestError */.Sh) {
            throw new errors/* InputError */.dz('manifests', error.message);
        }
        throw error;
    }
}
function renderCommitMessage(template, target, context) {
    const values = {
        image: target.repository.toString(),
        digest: target.digest,
        tag: target.tag,
        sha: context.sha ?? '',
        short_sha: context.sha?.slice(0, 7) ?? ''
    };
    return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key) => values[key] ?? whole);
}
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
 * Writes the prepared edits: into the workspace (`none`), as one commit pushed to the branch
 * (`push`), or as a commit on the image's pull request branch with the pull request opened or
 * updated (`pull-request`).
 */
async function deploy(prepared, inputs, context, log) {
    const mode = inputs.manifestCommit;
    const planned = prepared.plan.files.flatMap(f => f.changes.map(change => ({ path: f.path, change })));
    const previous = planned[0]?.change.from;
    const preview = previewOf(prepared);
    if (mode === 'none') {
        const changed = [];
        for (const file of prepared.plan.files) {
            if (file.changes.length === 0)
                continue;
            await writeAtomically((0,external_node_path_.join)(prepared.root, file.path), file.after);
            changed.push(file.path);
        }
        return { mode, changed, changes: planned, previous, preview };
    }
    if (!prepared.branch) {
        return {
            mode,
            changed: [],
            changes: planned,
            previous,
            preview,
            skipped: 'pull_request events do not commit manifests'
        };
    }
    const branch = prepared.branch;
    const headline = renderCommitMessage(inputs.commitMessage, prepared.target, context);
    const body = planned
        .map(p => `${p.path}: ${p.change.from} → ${p.change.to}`)
        .join('\n');
    // [skip ci] only for direct pushes: on a pull request it would leave required checks pending.
    const message = mode === 'push'
        ? `${headline}\n\n${body}\n\n[skip ci]`
        : `${headline}\n\n${body}`;
    const pushTo = mode === 'pull-request'
        ? pullRequestBranch(prepared.target, branch)
        : undefined;
    const result = await commitAndPush({
        root: prepared.root,
        remote: prepared.remote,
        remoteConfig: prepared.remoteConfig,
        branch,
        pushTo,
        files: prepared.files,
        target: prepared.target,
        message,
        allow: orderingGuard(context.sha, prepared.sourceRoot, 'origin', log),
        log
    });
    const outcome = {
        mode,
        commit: result.commit,
        changed: result.changed,
        changes: result.changes,
        previous: result.changes[0]?.change.from ?? previous,
        preview
    };
    if (result.commit && !pushTo)
        log.info(`manifests committed to ${branch}: ${result.commit} (attempt ${result.attempts})`);
    if (result.commit && pushTo) {
        outcome.pullRequest = await openPullRequest(prepared, inputs, pushTo, branch, headline, body, result.unchanged === true, log);
    }
    return outcome;
}
async function openPullRequest(prepared, inputs, head, base, title, body, unchanged, log) {
    const [owner, repo] = (prepared.repository ?? '').split('/');
    const api = new GitHubApi(inputs.manifestToken ?? '', process.env.GITHUB_API_URL);
    const runUrl = process.env.GITHUB_RUN_ID
        ? `\n\nFrom ${serverUrl()}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : '';
    const text = { title, body: `${body}${runUrl}` };
    const existing = await api.findOpenPull(owner, repo, `${owner}:${head}`, base);
    if (existing) {
        if (!unchanged)
            await api.updatePull(owner, repo, existing.number, text);
        log.info(`pull request ${existing.html_url} ${unchanged ? 'already up to date' : 'updated'}`);
        return {
            url: existing.html_url,
            number: existing.number,
            operation: unchanged ? 'unchanged' : 'updated'
        };
    }
    const created = await api.createPull(owner, repo, { ...text, head, base });
    log.info(`pull request ${created.html_url} opened`);
    return { url: created.html_url, number: created.number, operation: 'created' };
}
/** The prepared edits as diffs (what a merge would change), for logs and pull request comments. */
function previewOf(prepared) {
    return prepared.plan.files.filter(f => f.changes.length).map(lineDiff);
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
    // The fan-out half of a matrix build writes no tag: the merge job tags the index.
    const tags = inputs.pushByDigest ? [] : renderTags(inputs.tags, context);
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
    let prepared;
    const scratchDir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(deps.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'imprint-'));
    try {
        const { base, artifact } = inputs.mergeDigests.length > 0
            ? await log.group('Merge platform images', async () => {
                const digests = parseMergeDigests(inputs.mergeDigests, inputs.image);
                const merged = await mergeImages(registries.client(inputs.image.registry), inputs.image, digests, inputs.annotations);
                log.info(`index ${merged.digest}: ${merged.images.map(i => `${(0,oci_platform/* formatPlatform */.Bq)(i.platform)} ${i.digest}`).join(', ')}`);
                return {
                    base: { name: '', platforms: [] },
                    artifact: merged
                };
            })
            : await buildArtifact(inputs, context, registries, {
                workingDirectory,
                scratchDir,
                jobs,
                reuse: inputs.push
                    ? await reuseFromPrevious(inputs, context, registries, log)
                    : undefined,
                log
            });
        deps.onAssembled?.(resultOf(inputs, artifact, base, tags, context, undefined));
        // Manifests are read and edited in memory now, so a bad file stops the run before the push.
        if (inputs.pushByDigest && inputs.manifests.length) {
            log.warning('push-by-digest: manifests are updated by the job that merges the digests, not here');
        }
        prepared = inputs.pushByDigest
            ? undefined
            : await log.group('Check manifests', () => prepareDeploy(inputs, context, tags[0] ?? artifact.digest.slice(7, 19), artifact.digest, log));
        const layoutDir = inputs.ociLayout ? (0,external_node_path_.resolve)(inputs.ociLayout) : undefined;
        if (layoutDir) {
            await checkLayoutTarget(layoutDir).catch(error => {
                throw new errors/* InputError */.dz('oci-layout', error.message);
            });
        }
        // A pull request's image is compared with the base commit's before anything is written.
        const comparison = context.baseCommit && !inputs.pushByDigest
            ? await compareBase(inputs, context, registries, artifact, log)
            : undefined;
        let push;
        let pushSkipped;
        if (inputs.push) {
            try {
                push = await log.group(`Push ${inputs.image}`, async () => {
                    const client = registries.client(inputs.image.registry);
                    const plans = await planTags(client, inputs.image, (0,oci_image/* topLevel */.M4)(artifact).digest, tags, inputs.allowTagOverwrite);
                    return pushArtifact(client, inputs.image, artifact, plans, {
                        jobs,
                        log
                    });
                });
            }
            catch (error) {
                // A pull request from a fork gets read-only credentials: report the image, do not fail.
                if (!(isPullRequest(context) && refusedCredentials(error)))
                    throw error;
                pushSkipped = "the pull request's credentials may not push (a fork)";
                log.warning(`not pushed: ${pushSkipped}; the image was built and is reported (${error.message})`);
            }
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
        let deployed;
        const ready = prepared;
        if (ready) {
            deployed = push
                ? await log.group('Update manifests', () => deploy(ready, inputs, context, log))
                : {
                    mode: inputs.manifestCommit,
                    changed: [],
                    changes: ready.plan.files.flatMap(f => f.changes.map(change => ({ path: f.path, change }))),
                    preview: previewOf(ready),
                    skipped: 'the image was not pushed, so manifests are not pointed at it'
                };
            if (deployed.skipped)
                log.info(`manifests not updated: ${deployed.skipped}`);
        }
        return {
            ...resultOf(inputs, artifact, base, tags, context, push),
            signatures,
            deploy: deployed,
            comparison,
            pushSkipped
        };
    }
    finally {
        await prepared?.cleanup();
        await (0,promises_.rm)(scratchDir, { recursive: true, force: true });
    }
}
function refusedCredentials(error) {
    return (error instanceof registry_client/* AuthenticationError */.v ||
        (error instanceof registry_errors/* RegistryError */.gl &&
            (error.status === 401 ||
                error.status === 403 ||
                error.codes.includes('DENIED'))));
}


/***/ }),

/***/ 7481:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ repositoryScope),
/* harmony export */   Iy: () => (/* binding */ defaultKeychain),
/* harmony export */   xy: () => (/* binding */ parseChallenge)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
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

/***/ 690:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  v: () => (/* binding */ AuthenticationError),
  b: () => (/* binding */ RegistryClient)
});

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
// EXTERNAL MODULE: ./src/oci/digest.ts
var oci_digest = __nccwpck_require__(8825);
// EXTERNAL MODULE: ./src/oci/media-types.ts
var media_types = __nccwpck_require__(9217);
// EXTERNAL MODULE: ./src/util/log.ts
var log = __nccwpck_require__(9906);
// EXTERNAL MODULE: ./src/registry/auth.ts
var auth = __nccwpck_require__(7481);
// EXTERNAL MODULE: ./src/registry/errors.ts
var errors = __nccwpck_require__(6764);
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
    if (error instanceof errors/* RegistryError */.gl && error.retryAfterMs !== undefined) {
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
            if (!(0,errors/* isTemporary */.ey)(error) || attempt + 1 >= policy.attempts)
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
                if (!(error instanceof errors/* NetworkError */.Dr ||
                    (error instanceof errors/* RegistryError */.gl && error.temporary)) ||
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
                    throw new errors/* UploadRestart */.z6(digest, statusError);
                }
                location = this.location(status);
                const range = /^(?:bytes=)?0-(\d+)$/.exec(status.headers.get('range') ?? '');
                // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
                if (!range || Number(range[1]) === 0)
                    throw new errors/* UploadRestart */.z6(digest, error);
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
            if (error instanceof errors/* RegistryError */.gl &&
                (error.status === 416 || error.codes.includes('DIGEST_INVALID'))) {
                throw new errors/* UploadRestart */.z6(digest, error);
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
            if (error instanceof errors/* RegistryError */.gl && error.status === 404)
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
                    const error = await (0,errors/* registryError */.eo)(method, url, res);
                    throw new AuthenticationError(this.registry.name, (await this.getCredential())?.origin, error.message);
                }
            }
            if (!options.ok.includes(res.status))
                throw await (0,errors/* registryError */.eo)(method, url, res);
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
            throw new errors/* NetworkError */.Dr(method, url, error);
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
                throw new errors/* NetworkError */.Dr('GET', `${this.baseUrl}/v2/`, error);
            }
            await res.body?.cancel().catch(() => { });
            if (res.status === 401) {
                const header = res.headers.get('www-authenticate') ?? '';
                this.challenge = (0,auth/* parseChallenge */.xy)(header);
                return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic';
            }
            if (res.ok || res.status === 404)
                return 'none';
            throw await (0,errors/* registryError */.eo)('GET', `${this.baseUrl}/v2/`, res);
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
                throw new errors/* NetworkError */.Dr('GET', realm.toString(), error);
            }
            if (res.status === 401 || res.status === 403) {
                const error = await (0,errors/* registryError */.eo)('GET', realm.toString(), res);
                throw new AuthenticationError(this.registry.name, credential?.origin, error.message);
            }
            if (!res.ok)
                throw await (0,errors/* registryError */.eo)('GET', realm.toString(), res);
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
        throw new errors/* NetworkError */.Dr(method, res.url, error);
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
        throw new errors/* NetworkError */.Dr('GET', 'blob body', error);
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

/***/ 6764:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dr: () => (/* binding */ NetworkError),
/* harmony export */   eo: () => (/* binding */ registryError),
/* harmony export */   ey: () => (/* binding */ isTemporary),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   z6: () => (/* binding */ UploadRestart)
/* harmony export */ });
/* unused harmony exports redact, retryAfter */
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


/***/ }),

/***/ 5813:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F7: () => (/* binding */ listBundleReferrers),
/* harmony export */   KG: () => (/* binding */ keyBundle),
/* harmony export */   U9: () => (/* binding */ attachBundle),
/* harmony export */   l5: () => (/* binding */ bundleMediaType)
/* harmony export */ });
/* unused harmony exports emptyConfig, referrerAnnotations, referrersFallbackTag */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9217);



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
        // Someone else's odd or deleted referrer must not stop us from finding ours.
        try {
            const found = await client.getManifest(repo, descriptor.digest);
            const manifest = JSON.parse(found.bytes.toString('utf8'));
            if (manifest.layers?.length !== 1)
                continue;
            const bytes = await client.getBlobBytes(repo, manifest.layers[0].digest);
            referrers.push({
                descriptor,
                manifest,
                bundle: JSON.parse(bytes.toString('utf8'))
            });
        }
        catch {
            continue;
        }
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

/***/ 2821:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   TZ: () => (/* binding */ generateKeyPair),
/* harmony export */   eN: () => (/* binding */ KeyError),
/* harmony export */   fm: () => (/* binding */ loadSigningKey)
/* harmony export */ });
/* unused harmony exports encryptedPemTypes, encryptCosignKey */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
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

/***/ 3110:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   I9: () => (/* binding */ signatureAnnotation),
/* harmony export */   cH: () => (/* binding */ appendLegacySignature),
/* harmony export */   t6: () => (/* binding */ readLegacySignatures)
/* harmony export */ });
/* unused harmony exports simpleSigningMediaType, legacySignatureTag */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8825);
/* harmony import */ var _oci_image__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7812);
/* harmony import */ var _oci_media_types__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9217);



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
/* unused harmony export cosignRepositoryName */
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8825);

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

/***/ 2132:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AS: () => (/* binding */ legacySignatureValid),
/* harmony export */   Qm: () => (/* binding */ bundleStatement),
/* harmony export */   a$: () => (/* binding */ verifyImageSignatures)
/* harmony export */ });
/* unused harmony export payloadNames */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _oci_digest__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8825);
/* harmony import */ var _bundle_referrer__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(5813);
/* harmony import */ var _legacy_sig__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3110);
/* harmony import */ var _payload__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(5911);





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
    try {
        return checkBundle(bundle, digest, key);
    }
    catch {
        return undefined;
    }
}
function checkBundle(bundle, digest, key) {
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
            predicateTypes: statements.map(s => s.predicateType).sort()
        }
    };
}


/***/ }),

/***/ 9906:
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

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 7349:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveBlockMap = __nccwpck_require__(7103);
var resolveBlockSeq = __nccwpck_require__(334);
var resolveFlowCollection = __nccwpck_require__(3142);

function resolveCollection(CN, ctx, token, onError, tagName, tag) {
    const coll = token.type === 'block-map'
        ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag)
        : token.type === 'block-seq'
            ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag)
            : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
    const Coll = coll.constructor;
    // If we got a tagName matching the class, or the tag name is '!',
    // then use the tagName from the node class used to create it.
    if (tagName === '!' || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
    }
    if (tagName)
        coll.tag = tagName;
    return coll;
}
function composeCollection(CN, ctx, token, props, onError) {
    const tagToken = props.tag;
    const tagName = !tagToken
        ? null
        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
    if (token.type === 'block-seq') {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken
            ? anchor.offset > tagToken.offset
                ? anchor
                : tagToken
            : (anchor ?? tagToken);
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
            const message = 'Missing newline after block sequence props';
            onError(lastProp, 'MISSING_CHAR', message);
        }
    }
    const expType = token.type === 'block-map'
        ? 'map'
        : token.type === 'block-seq'
            ? 'seq'
            : token.start.source === '{'
                ? 'map'
                : 'seq';
    // shortcut: check if it's a generic YAMLMap or YAMLSeq
    // before jumping into the custom tag logic.
    if (!tagToken ||
        !tagName ||
        tagName === '!' ||
        (tagName === YAMLMap.YAMLMap.tagName && expType === 'map') ||
        (tagName === YAMLSeq.YAMLSeq.tagName && expType === 'seq')) {
        return resolveCollection(CN, ctx, token, onError, tagName);
    }
    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
    if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
            tag = kt;
        }
        else {
            if (kt) {
                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
            }
            else {
                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
            }
            return resolveCollection(CN, ctx, token, onError, tagName);
        }
    }
    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
    const node = identity.isNode(res)
        ? res
        : new Scalar.Scalar(res);
    node.range = coll.range;
    node.tag = tagName;
    if (tag?.format)
        node.format = tag.format;
    return node;
}

exports.composeCollection = composeCollection;


/***/ }),

/***/ 3683:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Document = __nccwpck_require__(3021);
var composeNode = __nccwpck_require__(5937);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);

function composeDoc(options, directives, { offset, start, value, end }, onError) {
    const opts = Object.assign({ _directives: directives }, options);
    const doc = new Document.Document(undefined, opts);
    const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
    };
    const props = resolveProps.resolveProps(start, {
        indicator: 'doc-start',
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
    });
    if (props.found) {
        doc.directives.docStart = true;
        if (value &&
            (value.type === 'block-map' || value.type === 'block-seq') &&
            !props.hasNewline)
            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
    }
    // @ts-expect-error If Contents is set, let's trust the user
    doc.contents = value
        ? composeNode.composeNode(ctx, value, props, onError)
        : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
    const contentEnd = doc.contents.range[2];
    const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
    if (re.comment)
        doc.comment = re.comment;
    doc.range = [offset, contentEnd, re.offset];
    return doc;
}

exports.composeDoc = composeDoc;


/***/ }),

/***/ 5937:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var composeCollection = __nccwpck_require__(7349);
var composeScalar = __nccwpck_require__(5413);
var resolveEnd = __nccwpck_require__(7788);
var utilEmptyScalarPosition = __nccwpck_require__(2599);

const CN = { composeNode, composeEmptyNode };
function composeNode(ctx, token, props, onError) {
    const atKey = ctx.atKey;
    const { spaceBefore, comment, anchor, tag } = props;
    let node;
    let isSrcToken = true;
    switch (token.type) {
        case 'alias':
            node = composeAlias(ctx, token, onError);
            if (anchor || tag)
                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
            break;
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
            node = composeScalar.composeScalar(ctx, token, tag, onError);
            if (anchor)
                node.anchor = anchor.source.substring(1);
            break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection':
            try {
                node = composeCollection.composeCollection(CN, ctx, token, props, onError);
                if (anchor)
                    node.anchor = anchor.source.substring(1);
            }
            catch (error) {
                // Almost certainly here due to a stack overflow
                const message = error instanceof Error ? error.message : String(error);
                onError(token, 'RESOURCE_EXHAUSTION', message);
            }
            break;
        default: {
            const message = token.type === 'error'
                ? token.message
                : `Unsupported token (type: ${token.type})`;
            onError(token, 'UNEXPECTED_TOKEN', message);
            isSrcToken = false;
        }
    }
    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
    if (anchor && node.anchor === '')
        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    if (atKey &&
        ctx.options.stringKeys &&
        (!identity.isScalar(node) ||
            typeof node.value !== 'string' ||
            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
        const msg = 'With stringKeys, all keys must be strings';
        onError(tag ?? token, 'NON_STRING_KEY', msg);
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        if (token.type === 'scalar' && token.source === '')
            node.comment = comment;
        else
            node.commentBefore = comment;
    }
    // @ts-expect-error Type checking misses meaning of isSrcToken
    if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
    return node;
}
function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
    const token = {
        type: 'scalar',
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ''
    };
    const node = composeScalar.composeScalar(ctx, token, tag, onError);
    if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === '')
            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        node.comment = comment;
        node.range[2] = end;
    }
    return node;
}
function composeAlias({ options }, { offset, source, end }, onError) {
    const alias = new Alias.Alias(source.substring(1));
    if (alias.source === '')
        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
    if (alias.source.endsWith(':'))
        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
    alias.range = [offset, valueEnd, re.offset];
    if (re.comment)
        alias.comment = re.comment;
    return alias;
}

exports.composeEmptyNode = composeEmptyNode;
exports.composeNode = composeNode;


/***/ }),

/***/ 5413:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);

function composeScalar(ctx, token, tagToken, onError) {
    const { value, type, comment, range } = token.type === 'block-scalar'
        ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError)
        : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
    const tagName = tagToken
        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
        : null;
    let tag;
    if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
    }
    else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
    else if (token.type === 'scalar')
        tag = findScalarTagByTest(ctx, value, token, onError);
    else
        tag = ctx.schema[identity.SCALAR];
    let scalar;
    try {
        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
    }
    catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
        scalar = new Scalar.Scalar(value);
    }
    scalar.range = range;
    scalar.source = value;
    if (type)
        scalar.type = type;
    if (tagName)
        scalar.tag = tagName;
    if (tag.format)
        scalar.format = tag.format;
    if (comment)
        scalar.comment = comment;
    return scalar;
}
function findScalarTagByName(schema, value, tagName, tagToken, onError) {
    if (tagName === '!')
        return schema[identity.SCALAR]; // non-specific tag
    const matchWithTest = [];
    for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
            if (tag.default && tag.test)
                matchWithTest.push(tag);
            else
                return tag;
        }
    }
    for (const tag of matchWithTest)
        if (tag.test?.test(value))
            return tag;
    const kt = schema.knownTags[tagName];
    if (kt && !kt.collection) {
        // Ensure that the known tag is available for stringifying,
        // but does not get used by default.
        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
        return kt;
    }
    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
    return schema[identity.SCALAR];
}
function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
        tag.test?.test(value)) || schema[identity.SCALAR];
    if (schema.compat) {
        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
            schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
            const ts = directives.tagString(tag.tag);
            const cs = directives.tagString(compat.tag);
            const msg = `Value may be parsed as either ${ts} or ${cs}`;
            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
        }
    }
    return tag;
}

exports.composeScalar = composeScalar;


/***/ }),

/***/ 9984:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var directives = __nccwpck_require__(1342);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var identity = __nccwpck_require__(1127);
var composeDoc = __nccwpck_require__(3683);
var resolveEnd = __nccwpck_require__(7788);

function getErrorPos(src) {
    if (typeof src === 'number')
        return [src, src + 1];
    if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
    const { offset, source } = src;
    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
}
function parsePrelude(prelude) {
    let comment = '';
    let atComment = false;
    let afterEmptyLine = false;
    for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
            case '#':
                comment +=
                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
                        (source.substring(1) || ' ');
                atComment = true;
                afterEmptyLine = false;
                break;
            case '%':
                if (prelude[i + 1]?.[0] !== '#')
                    i += 1;
                atComment = false;
                break;
            default:
                // This may be wrong after doc-end, but in that case it doesn't matter
                if (!atComment)
                    afterEmptyLine = true;
                atComment = false;
        }
    }
    return { comment, afterEmptyLine };
}
/**
 * Compose a stream of CST nodes into a stream of YAML Documents.
 *
 * ```ts
 * import { Composer, Parser } from 'yaml'
 *
 * const src: string = ...
 * const tokens = new Parser().parse(src)
 * const docs = new Composer().compose(tokens)
 * ```
 */
class Composer {
    constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
            const pos = getErrorPos(source);
            if (warning)
                this.warnings.push(new errors.YAMLWarning(pos, code, message));
            else
                this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        this.directives = new directives.Directives({ version: options.version || '1.2' });
        this.options = options;
    }
    decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        //console.log({ dc: doc.comment, prelude, comment })
        if (comment) {
            const dc = doc.contents;
            if (afterDoc) {
                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
            }
            else if (afterEmptyLine || doc.directives.docStart || !dc) {
                doc.commentBefore = comment;
            }
            else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
                let it = dc.items[0];
                if (identity.isPair(it))
                    it = it.key;
                const cb = it.commentBefore;
                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
            else {
                const cb = dc.commentBefore;
                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
        }
        if (afterDoc) {
            for (let i = 0; i < this.errors.length; ++i)
                doc.errors.push(this.errors[i]);
            for (let i = 0; i < this.warnings.length; ++i)
                doc.warnings.push(this.warnings[i]);
        }
        else {
            doc.errors = this.errors;
            doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
    }
    /**
     * Current stream status information.
     *
     * Mostly useful at the end of input for an empty stream.
     */
    streamInfo() {
        return {
            comment: parsePrelude(this.prelude).comment,
            directives: this.directives,
            errors: this.errors,
            warnings: this.warnings
        };
    }
    /**
     * Compose tokens into documents.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
            yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
    }
    /** Advance the composer by one CST token. */
    *next(token) {
        if (node_process.env.LOG_STREAM)
            console.dir(token, { depth: null });
        switch (token.type) {
            case 'directive':
                this.directives.add(token.source, (offset, message, warning) => {
                    const pos = getErrorPos(token);
                    pos[0] += offset;
                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
                });
                this.prelude.push(token.source);
                this.atDirectives = true;
                break;
            case 'document': {
                const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
                if (this.atDirectives && !doc.directives.docStart)
                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
                this.decorate(doc, false);
                if (this.doc)
                    yield this.doc;
                this.doc = doc;
                this.atDirectives = false;
                break;
            }
            case 'byte-order-mark':
            case 'space':
                break;
            case 'comment':
            case 'newline':
                this.prelude.push(token.source);
                break;
            case 'error': {
                const msg = token.source
                    ? `${token.message}: ${JSON.stringify(token.source)}`
                    : token.message;
                const error = new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
                if (this.atDirectives || !this.doc)
                    this.errors.push(error);
                else
                    this.doc.errors.push(error);
                break;
            }
            case 'doc-end': {
                if (!this.doc) {
                    const msg = 'Unexpected doc-end without preceding document';
                    this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
                    break;
                }
                this.doc.directives.docEnd = true;
                const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
                this.decorate(this.doc, true);
                if (end.comment) {
                    const dc = this.doc.comment;
                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
                }
                this.doc.range[2] = end.offset;
                break;
            }
            default:
                this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
        }
    }
    /**
     * Call at end of input to yield any remaining document.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
            this.decorate(this.doc, true);
            yield this.doc;
            this.doc = null;
        }
        else if (forceDoc) {
            const opts = Object.assign({ _directives: this.directives }, this.options);
            const doc = new Document.Document(undefined, opts);
            if (this.atDirectives)
                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
            doc.range = [0, endOffset, endOffset];
            this.decorate(doc, false);
            yield doc;
        }
    }
}

exports.Composer = Composer;


/***/ }),

/***/ 7103:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilFlowIndentCheck = __nccwpck_require__(4051);
var utilMapIncludes = __nccwpck_require__(1187);

const startColMsg = 'All mapping items must start at the same column';
function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
    const map = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    let offset = bm.offset;
    let commentEnd = null;
    for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        // key properties
        const keyProps = resolveProps.resolveProps(start, {
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: bm.indent,
            startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
            if (key) {
                if (key.type === 'block-seq')
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
                else if ('indent' in key && key.indent !== bm.indent)
                    onError(offset, 'BAD_INDENT', startColMsg);
            }
            if (!keyProps.anchor && !keyProps.tag && !sep) {
                commentEnd = keyProps.end;
                if (keyProps.comment) {
                    if (map.comment)
                        map.comment += '\n' + keyProps.comment;
                    else
                        map.comment = keyProps.comment;
                }
                continue;
            }
            if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
            }
        }
        else if (keyProps.found?.indent !== bm.indent) {
            onError(offset, 'BAD_INDENT', startColMsg);
        }
        // key value
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key
            ? composeNode(ctx, key, keyProps, onError)
            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
        // value properties
        const valueProps = resolveProps.resolveProps(sep ?? [], {
            indicator: 'map-value-ind',
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: bm.indent,
            startOnNewline: !key || key.type === 'block-scalar'
        });
        offset = valueProps.end;
        if (valueProps.found) {
            if (implicitKey) {
                if (value?.type === 'block-map' && !valueProps.hasNewline)
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
                if (ctx.options.strict &&
                    keyProps.start < valueProps.found.offset - 1024)
                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
            if (ctx.schema.compat)
                utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
            offset = valueNode.range[2];
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
        else {
            // key with no value
            if (implicitKey)
                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
            if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
    }
    if (commentEnd && commentEnd < offset)
        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
    map.range = [bm.offset, offset, commentEnd ?? offset];
    return map;
}

exports.resolveBlockMap = resolveBlockMap;


/***/ }),

/***/ 8913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function resolveBlockScalar(ctx, scalar, onError) {
    const start = scalar.offset;
    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
    if (!header)
        return { value: '', type: null, comment: '', range: [start, start, start] };
    const type = header.mode === '>' ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
    const lines = scalar.source ? splitLines(scalar.source) : [];
    // determine the end of content & start of chomping
    let chompStart = lines.length;
    for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === '' || content === '\r')
            chompStart = i;
        else
            break;
    }
    // shortcut for empty contents
    if (chompStart === 0) {
        const value = header.chomp === '+' && lines.length > 0
            ? '\n'.repeat(Math.max(1, lines.length - 1))
            : '';
        let end = start + header.length;
        if (scalar.source)
            end += scalar.source.length;
        return { value, type, comment: header.comment, range: [start, end, end] };
    }
    // find the indentation level to trim from start
    let trimIndent = scalar.indent + header.indent;
    let offset = scalar.offset + header.length;
    let contentStart = 0;
    for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === '' || content === '\r') {
            if (header.indent === 0 && indent.length > trimIndent)
                trimIndent = indent.length;
        }
        else {
            if (indent.length < trimIndent) {
                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
                onError(offset + indent.length, 'MISSING_CHAR', message);
            }
            if (header.indent === 0)
                trimIndent = indent.length;
            contentStart = i;
            if (trimIndent === 0 && !ctx.atRoot) {
                const message = 'Block scalar values in collections must be indented';
                onError(offset, 'BAD_INDENT', message);
            }
            break;
        }
        offset += indent.length + content.length + 1;
    }
    // include trailing more-indented empty lines in content
    for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
            chompStart = i + 1;
    }
    let value = '';
    let sep = '';
    let prevMoreIndented = false;
    // leading whitespace is kept intact
    for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + '\n';
    for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === '\r';
        if (crlf)
            content = content.slice(0, -1);
        /* istanbul ignore if already caught in lexer */
        if (content && indent.length < trimIndent) {
            const src = header.indent
                ? 'explicit indentation indicator'
                : 'first line';
            const message = `Block scalar lines must not be less indented than their ${src}`;
            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
            indent = '';
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
        }
        else if (indent.length > trimIndent || content[0] === '\t') {
            // more-indented content within a folded block
            if (sep === ' ')
                sep = '\n';
            else if (!prevMoreIndented && sep === '\n')
                sep = '\n\n';
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
            prevMoreIndented = true;
        }
        else if (content === '') {
            // empty line
            if (sep === '\n')
                value += '\n';
            else
                sep = '\n';
        }
        else {
            value += sep + content;
            sep = ' ';
            prevMoreIndented = false;
        }
    }
    switch (header.chomp) {
        case '-':
            break;
        case '+':
            for (let i = chompStart; i < lines.length; ++i)
                value += '\n' + lines[i][0].slice(trimIndent);
            if (value[value.length - 1] !== '\n')
                value += '\n';
            break;
        default:
            value += '\n';
    }
    const end = start + header.length + scalar.source.length;
    return { value, type, comment: header.comment, range: [start, end, end] };
}
function parseBlockScalarHeader({ offset, props }, strict, onError) {
    /* istanbul ignore if should not happen */
    if (props[0].type !== 'block-scalar-header') {
        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
        return null;
    }
    const { source } = props[0];
    const mode = source[0];
    let indent = 0;
    let chomp = '';
    let error = -1;
    for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === '-' || ch === '+'))
            chomp = ch;
        else {
            const n = Number(ch);
            if (!indent && n)
                indent = n;
            else if (error === -1)
                error = offset + i;
        }
    }
    if (error !== -1)
        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
    let hasSpace = false;
    let comment = '';
    let length = source.length;
    for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
            case 'space':
                hasSpace = true;
            // fallthrough
            case 'newline':
                length += token.source.length;
                break;
            case 'comment':
                if (strict && !hasSpace) {
                    const message = 'Comments must be separated from other tokens by white space characters';
                    onError(token, 'MISSING_CHAR', message);
                }
                length += token.source.length;
                comment = token.source.substring(1);
                break;
            case 'error':
                onError(token, 'UNEXPECTED_TOKEN', token.message);
                length += token.source.length;
                break;
            /* istanbul ignore next should not happen */
            default: {
                const message = `Unexpected token in block scalar header: ${token.type}`;
                onError(token, 'UNEXPECTED_TOKEN', message);
                const ts = token.source;
                if (ts && typeof ts === 'string')
                    length += ts.length;
            }
        }
    }
    return { mode, indent, chomp, comment, length };
}
/** @returns Array of lines split up as `[indent, content]` */
function splitLines(source) {
    const split = source.split(/\n( *)/);
    const first = split[0];
    const m = first.match(/^( *)/);
    const line0 = m?.[1]
        ? [m[1], first.slice(m[1].length)]
        : ['', first];
    const lines = [line0];
    for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
    return lines;
}

exports.resolveBlockScalar = resolveBlockScalar;


/***/ }),

/***/ 334:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var YAMLSeq = __nccwpck_require__(2223);
var resolveProps = __nccwpck_require__(4631);
var utilFlowIndentCheck = __nccwpck_require__(4051);

function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
    const seq = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = bs.offset;
    let commentEnd = null;
    for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
            indicator: 'seq-item-ind',
            next: value,
            offset,
            onError,
            parentIndent: bs.indent,
            startOnNewline: true
        });
        if (!props.found) {
            if (props.anchor || props.tag || value) {
                if (value?.type === 'block-seq')
                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
                else
                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
            }
            else {
                commentEnd = props.end;
                if (props.comment)
                    seq.comment = props.comment;
                continue;
            }
        }
        const node = value
            ? composeNode(ctx, value, props, onError)
            : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
    }
    seq.range = [bs.offset, offset, commentEnd ?? offset];
    return seq;
}

exports.resolveBlockSeq = resolveBlockSeq;


/***/ }),

/***/ 7788:
/***/ ((__unused_webpack_module, exports) => {



function resolveEnd(end, offset, reqSpace, onError) {
    let comment = '';
    if (end) {
        let hasSpace = false;
        let sep = '';
        for (const token of end) {
            const { source, type } = token;
            switch (type) {
                case 'space':
                    hasSpace = true;
                    break;
                case 'comment': {
                    if (reqSpace && !hasSpace)
                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                    const cb = source.substring(1) || ' ';
                    if (!comment)
                        comment = cb;
                    else
                        comment += sep + cb;
                    sep = '';
                    break;
                }
                case 'newline':
                    if (comment)
                        sep += source;
                    hasSpace = true;
                    break;
                default:
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
            }
            offset += source.length;
        }
    }
    return { comment, offset };
}

exports.resolveEnd = resolveEnd;


/***/ }),

/***/ 3142:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilMapIncludes = __nccwpck_require__(1187);

const blockMsg = 'Block collections are not allowed within flow collections';
const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
    const isMap = fc.start.source === '{';
    const fcName = isMap ? 'flow map' : 'flow sequence';
    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq));
    const coll = new NodeClass(ctx.schema);
    coll.flow = true;
    const atRoot = ctx.atRoot;
    if (atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
            flow: fcName,
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
        });
        if (!props.found) {
            if (!props.anchor && !props.tag && !sep && !value) {
                if (i === 0 && props.comma)
                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
                else if (i < fc.items.length - 1)
                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
                if (props.comment) {
                    if (coll.comment)
                        coll.comment += '\n' + props.comment;
                    else
                        coll.comment = props.comment;
                }
                offset = props.end;
                continue;
            }
            if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
                onError(key, // checked by containsNewline()
                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
        }
        if (i === 0) {
            if (props.comma)
                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
        }
        else {
            if (!props.comma)
                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
            if (props.comment) {
                let prevItemComment = '';
                loop: for (const st of start) {
                    switch (st.type) {
                        case 'comma':
                        case 'space':
                            break;
                        case 'comment':
                            prevItemComment = st.source.substring(1);
                            break loop;
                        default:
                            break loop;
                    }
                }
                if (prevItemComment) {
                    let prev = coll.items[coll.items.length - 1];
                    if (identity.isPair(prev))
                        prev = prev.value ?? prev.key;
                    if (prev.comment)
                        prev.comment += '\n' + prevItemComment;
                    else
                        prev.comment = prevItemComment;
                    props.comment = props.comment.substring(prevItemComment.length + 1);
                }
            }
        }
        if (!isMap && !sep && !props.found) {
            // item is a value in a seq
            // → key & sep are empty, start does not include ? or :
            const valueNode = value
                ? composeNode(ctx, value, props, onError)
                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
            coll.items.push(valueNode);
            offset = valueNode.range[2];
            if (isBlock(value))
                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
        }
        else {
            // item is a key+value pair
            // key value
            ctx.atKey = true;
            const keyStart = props.end;
            const keyNode = key
                ? composeNode(ctx, key, props, onError)
                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
            if (isBlock(key))
                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
            ctx.atKey = false;
            // value properties
            const valueProps = resolveProps.resolveProps(sep ?? [], {
                flow: fcName,
                indicator: 'map-value-ind',
                next: value,
                offset: keyNode.range[2],
                onError,
                parentIndent: fc.indent,
                startOnNewline: false
            });
            if (valueProps.found) {
                if (!isMap && !props.found && ctx.options.strict) {
                    if (sep)
                        for (const st of sep) {
                            if (st === valueProps.found)
                                break;
                            if (st.type === 'newline') {
                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
                                break;
                            }
                        }
                    if (props.start < valueProps.found.offset - 1024)
                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
                }
            }
            else if (value) {
                if ('source' in value && value.source?.[0] === ':')
                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
                else
                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : valueProps.found
                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
                    : null;
            if (valueNode) {
                if (isBlock(value))
                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
            }
            else if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            if (isMap) {
                const map = coll;
                if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
                map.items.push(pair);
            }
            else {
                const map = new YAMLMap.YAMLMap(ctx.schema);
                map.flow = true;
                map.items.push(pair);
                const endRange = (valueNode ?? keyNode).range;
                map.range = [keyNode.range[0], endRange[1], endRange[2]];
                coll.items.push(map);
            }
            offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
    }
    const expectedEnd = isMap ? '}' : ']';
    const [ce, ...ee] = fc.end;
    let cePos = offset;
    if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
    else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot
            ? `${name} must end with a ${expectedEnd}`
            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
        if (ce && ce.source.length !== 1)
            ee.unshift(ce);
    }
    if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
            if (coll.comment)
                coll.comment += '\n' + end.comment;
            else
                coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
    }
    else {
        coll.range = [fc.offset, cePos, cePos];
    }
    return coll;
}

exports.resolveFlowCollection = resolveFlowCollection;


/***/ }),

/***/ 6842:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var resolveEnd = __nccwpck_require__(7788);

function resolveFlowScalar(scalar, strict, onError) {
    const { offset, type, source, end } = scalar;
    let _type;
    let value;
    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
    switch (type) {
        case 'scalar':
            _type = Scalar.Scalar.PLAIN;
            value = plainValue(source, _onError);
            break;
        case 'single-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_SINGLE;
            value = singleQuotedValue(source, _onError);
            break;
        case 'double-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_DOUBLE;
            value = doubleQuotedValue(source, _onError);
            break;
        /* istanbul ignore next should not happen */
        default:
            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
            return {
                value: '',
                type: null,
                comment: '',
                range: [offset, offset + source.length, offset + source.length]
            };
    }
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
    return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
    };
}
function plainValue(source, onError) {
    let badChar = '';
    switch (source[0]) {
        /* istanbul ignore next should not happen */
        case '\t':
            badChar = 'a tab character';
            break;
        case ',':
            badChar = 'flow indicator character ,';
            break;
        case '%':
            badChar = 'directive indicator character %';
            break;
        case '|':
        case '>': {
            badChar = `block scalar indicator ${source[0]}`;
            break;
        }
        case '@':
        case '`': {
            badChar = `reserved character ${source[0]}`;
            break;
        }
    }
    if (badChar)
        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
    return unfoldLines(source);
}
function singleQuotedValue(source, onError) {
    if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
}
function unfoldLines(source) {
    const line = /(.*?)\r?\n/sy;
    let match = line.exec(source);
    if (!match)
        return source;
    /**
     * The negative lookbehinds in these RegExps are to
     * prevent causing a polynomial search time in certain cases.
     *
     * The try-catch is for Safari < 16.4 and other old browsers:
     * https://caniuse.com/js-regexp-lookbehind
     */
    let trimEnd, trimBoth;
    try {
        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
    }
    catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
    }
    let res = match[1].replace(trimEnd, '');
    let sep = ' ';
    let pos = line.lastIndex;
    while ((match = line.exec(source))) {
        const lm = match[1].replace(trimBoth, '');
        if (lm === '') {
            if (sep === '\n')
                res += sep;
            else
                sep = '\n';
        }
        else {
            res += sep + lm;
            sep = ' ';
        }
        pos = line.lastIndex;
    }
    const last = /[ \t]*(.*)/sy;
    last.lastIndex = pos;
    match = last.exec(source);
    return res + sep + (match?.[1] ?? '');
}
function doubleQuotedValue(source, onError) {
    let res = '';
    for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === '\r' && source[i + 1] === '\n')
            continue;
        if (ch === '\n') {
            const { fold, offset } = foldNewline(source, i);
            res += fold;
            i = offset;
        }
        else if (ch === '\\') {
            let next = source[++i];
            const cc = escapeCodes[next];
            if (cc)
                res += cc;
            else if (next === '\n') {
                // skip escaped newlines, but still trim the following line
                next = source[i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === '\r' && source[i + 1] === '\n') {
                // skip escaped CRLF newlines, but still trim the following line
                next = source[++i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === 'x' || next === 'u' || next === 'U') {
                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
                res += parseCharCode(source, i + 1, length, onError);
                i += length;
            }
            else {
                const raw = source.substr(i - 1, 2);
                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
                res += raw;
            }
        }
        else if (ch === ' ' || ch === '\t') {
            // trim trailing whitespace
            const wsStart = i;
            let next = source[i + 1];
            while (next === ' ' || next === '\t')
                next = source[++i + 1];
            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        }
        else {
            res += ch;
        }
    }
    if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
    return res;
}
/**
 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
 * Presumes `source[offset] === '\n'`
 */
function foldNewline(source, offset) {
    let fold = '';
    let ch = source[offset + 1];
    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        if (ch === '\r' && source[offset + 2] !== '\n')
            break;
        if (ch === '\n')
            fold += '\n';
        offset += 1;
        ch = source[offset + 1];
    }
    if (!fold)
        fold = ' ';
    return { fold, offset };
}
const escapeCodes = {
    '0': '\0', // null character
    a: '\x07', // bell character
    b: '\b', // backspace
    e: '\x1b', // escape character
    f: '\f', // form feed
    n: '\n', // line feed
    r: '\r', // carriage return
    t: '\t', // horizontal tab
    v: '\v', // vertical tab
    N: '\u0085', // Unicode next line
    _: '\u00a0', // Unicode non-breaking space
    L: '\u2028', // Unicode line separator
    P: '\u2029', // Unicode paragraph separator
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    '\t': '\t'
};
function parseCharCode(source, offset, length, onError) {
    const cc = source.substr(offset, length);
    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
    const code = ok ? parseInt(cc, 16) : NaN;
    try {
        return String.fromCodePoint(code);
    }
    catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
        return raw;
    }
}

exports.resolveFlowScalar = resolveFlowScalar;


/***/ }),

/***/ 4631:
/***/ ((__unused_webpack_module, exports) => {



function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
    let spaceBefore = false;
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let comment = '';
    let commentSep = '';
    let hasNewline = false;
    let reqSpace = false;
    let tab = null;
    let anchor = null;
    let tag = null;
    let newlineAfterProp = null;
    let comma = null;
    let found = null;
    let start = null;
    for (const token of tokens) {
        if (reqSpace) {
            if (token.type !== 'space' &&
                token.type !== 'newline' &&
                token.type !== 'comma')
                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
            reqSpace = false;
        }
        if (tab) {
            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
            }
            tab = null;
        }
        switch (token.type) {
            case 'space':
                // At the doc level, tabs at line start may be parsed
                // as leading white space rather than indentation.
                // In a flow collection, only the parser handles indent.
                if (!flow &&
                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
                    token.source.includes('\t')) {
                    tab = token;
                }
                hasSpace = true;
                break;
            case 'comment': {
                if (!hasSpace)
                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                const cb = token.source.substring(1) || ' ';
                if (!comment)
                    comment = cb;
                else
                    comment += commentSep + cb;
                commentSep = '';
                atNewline = false;
                break;
            }
            case 'newline':
                if (atNewline) {
                    if (comment)
                        comment += token.source;
                    else if (!found || indicator !== 'seq-item-ind')
                        spaceBefore = true;
                }
                else
                    commentSep += token.source;
                atNewline = true;
                hasNewline = true;
                if (anchor || tag)
                    newlineAfterProp = token;
                hasSpace = true;
                break;
            case 'anchor':
                if (anchor)
                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
                if (token.source.endsWith(':'))
                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
                anchor = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            case 'tag': {
                if (tag)
                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
                tag = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            }
            case indicator:
                // Could here handle preceding comments differently
                if (anchor || tag)
                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
                if (found)
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
                found = token;
                atNewline =
                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
                hasSpace = false;
                break;
            case 'comma':
                if (flow) {
                    if (comma)
                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
                    comma = token;
                    atNewline = false;
                    hasSpace = false;
                    break;
                }
            // else fallthrough
            default:
                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
                atNewline = false;
                hasSpace = false;
        }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (reqSpace &&
        next &&
        next.type !== 'space' &&
        next.type !== 'newline' &&
        next.type !== 'comma' &&
        (next.type !== 'scalar' || next.source !== '')) {
        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
    }
    if (tab &&
        ((atNewline && tab.indent <= parentIndent) ||
            next?.type === 'block-map' ||
            next?.type === 'block-seq'))
        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
    return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
    };
}

exports.resolveProps = resolveProps;


/***/ }),

/***/ 9499:
/***/ ((__unused_webpack_module, exports) => {



function containsNewline(key) {
    if (!key)
        return null;
    switch (key.type) {
        case 'alias':
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            if (key.source.includes('\n'))
                return true;
            if (key.end)
                for (const st of key.end)
                    if (st.type === 'newline')
                        return true;
            return false;
        case 'flow-collection':
            for (const it of key.items) {
                for (const st of it.start)
                    if (st.type === 'newline')
                        return true;
                if (it.sep)
                    for (const st of it.sep)
                        if (st.type === 'newline')
                            return true;
                if (containsNewline(it.key) || containsNewline(it.value))
                    return true;
            }
            return false;
        default:
            return true;
    }
}

exports.containsNewline = containsNewline;


/***/ }),

/***/ 2599:
/***/ ((__unused_webpack_module, exports) => {



function emptyScalarPosition(offset, before, pos) {
    if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
            let st = before[i];
            switch (st.type) {
                case 'space':
                case 'comment':
                case 'newline':
                    offset -= st.source.length;
                    continue;
            }
            // Technically, an empty scalar is immediately after the last non-empty
            // node, but it's more useful to place it after any whitespace.
            st = before[++i];
            while (st?.type === 'space') {
                offset += st.source.length;
                st = before[++i];
            }
            break;
        }
    }
    return offset;
}

exports.emptyScalarPosition = emptyScalarPosition;


/***/ }),

/***/ 4051:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var utilContainsNewline = __nccwpck_require__(9499);

function flowIndentCheck(indent, fc, onError) {
    if (fc?.type === 'flow-collection') {
        const end = fc.end[0];
        if (end.indent === indent &&
            (end.source === ']' || end.source === '}') &&
            utilContainsNewline.containsNewline(fc)) {
            const msg = 'Flow end indicator should be more indented than parent';
            onError(end, 'BAD_INDENT', msg, true);
        }
    }
}

exports.flowIndentCheck = flowIndentCheck;


/***/ }),

/***/ 1187:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

function mapIncludes(ctx, items, search) {
    const { uniqueKeys } = ctx.options;
    if (uniqueKeys === false)
        return false;
    const isEqual = typeof uniqueKeys === 'function'
        ? uniqueKeys
        : (a, b) => a === b || (identity.isScalar(a) && identity.isScalar(b) && a.value === b.value);
    return items.some(pair => isEqual(pair.key, search));
}

exports.mapIncludes = mapIncludes;


/***/ }),

/***/ 3021:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var toJS = __nccwpck_require__(4043);
var Schema = __nccwpck_require__(5840);
var stringifyDocument = __nccwpck_require__(6829);
var anchors = __nccwpck_require__(1596);
var applyReviver = __nccwpck_require__(3661);
var createNode = __nccwpck_require__(2404);
var directives = __nccwpck_require__(1342);

class Document {
    constructor(value, replacer, options) {
        /** A comment before this Document */
        this.commentBefore = null;
        /** A comment immediately after this Document */
        this.comment = null;
        /** Errors encountered during parsing. */
        this.errors = [];
        /** Warnings encountered during parsing. */
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === 'function' || Array.isArray(replacer)) {
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const opt = Object.assign({
            intAsBigInt: false,
            keepSourceTokens: false,
            logLevel: 'warn',
            prettyErrors: true,
            strict: true,
            stringKeys: false,
            uniqueKeys: true,
            version: '1.2'
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
            this.directives = options._directives.atDocument();
            if (this.directives.yaml.explicit)
                version = this.directives.yaml.version;
        }
        else
            this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        // @ts-expect-error We can't really know that this matches Contents.
        this.contents =
            value === undefined ? null : this.createNode(value, _replacer, options);
    }
    /**
     * Create a deep copy of this Document and its contents.
     *
     * Custom Node values that inherit from `Object` still refer to their original instances.
     */
    clone() {
        const copy = Object.create(Document.prototype, {
            [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
            copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        // @ts-expect-error We can't really know that this matches Contents.
        copy.contents = identity.isNode(this.contents)
            ? this.contents.clone(copy.schema)
            : this.contents;
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** Adds a value to the document. */
    add(value) {
        if (assertCollection(this.contents))
            this.contents.add(value);
    }
    /** Adds a value to the document. */
    addIn(path, value) {
        if (assertCollection(this.contents))
            this.contents.addIn(path, value);
    }
    /**
     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
     *
     * If `node` already has an anchor, `name` is ignored.
     * Otherwise, the `node.anchor` value will be set to `name`,
     * or if an anchor with that name is already present in the document,
     * `name` will be used as a prefix for a new unique anchor.
     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
     */
    createAlias(node, name) {
        if (!node.anchor) {
            const prev = anchors.anchorNames(this);
            node.anchor =
                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
                !name || prev.has(name) ? anchors.findNewAnchor(name || 'a', prev) : name;
        }
        return new Alias.Alias(node.anchor);
    }
    createNode(value, replacer, options) {
        let _replacer = undefined;
        if (typeof replacer === 'function') {
            value = replacer.call({ '': value }, '', value);
            _replacer = replacer;
        }
        else if (Array.isArray(replacer)) {
            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
            const asStr = replacer.filter(keyToStr).map(String);
            if (asStr.length > 0)
                replacer = replacer.concat(asStr);
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(this, 
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        anchorPrefix || 'a');
        const ctx = {
            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
            keepUndefined: keepUndefined ?? false,
            onAnchor,
            onTagObj,
            replacer: _replacer,
            schema: this.schema,
            sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
            node.flow = true;
        setAnchors();
        return node;
    }
    /**
     * Convert a key and a value into a `Pair` using the current schema,
     * recursively wrapping all values as `Scalar` or `Collection` nodes.
     */
    createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        if (Collection.isEmptyPath(path)) {
            if (this.contents == null)
                return false;
            // @ts-expect-error Presumed impossible if Strict extends false
            this.contents = null;
            return true;
        }
        return assertCollection(this.contents)
            ? this.contents.deleteIn(path)
            : false;
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    get(key, keepScalar) {
        return identity.isCollection(this.contents)
            ? this.contents.get(key, keepScalar)
            : undefined;
    }
    /**
     * Returns item at `path`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        if (Collection.isEmptyPath(path))
            return !keepScalar && identity.isScalar(this.contents)
                ? this.contents.value
                : this.contents;
        return identity.isCollection(this.contents)
            ? this.contents.getIn(path, keepScalar)
            : undefined;
    }
    /**
     * Checks if the document includes a value with the key `key`.
     */
    has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
    }
    /**
     * Checks if the document includes a value at `path`.
     */
    hasIn(path) {
        if (Collection.isEmptyPath(path))
            return this.contents !== undefined;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    set(key, value) {
        if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, [key], value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.set(key, value);
        }
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        if (Collection.isEmptyPath(path)) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = value;
        }
        else if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.setIn(path, value);
        }
    }
    /**
     * Change the YAML version and schema used by the document.
     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
     * It also requires the `schema` option to be given as a `Schema` instance value.
     *
     * Overrides all previously set schema options.
     */
    setSchema(version, options = {}) {
        if (typeof version === 'number')
            version = String(version);
        let opt;
        switch (version) {
            case '1.1':
                if (this.directives)
                    this.directives.yaml.version = '1.1';
                else
                    this.directives = new directives.Directives({ version: '1.1' });
                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
                break;
            case '1.2':
            case 'next':
                if (this.directives)
                    this.directives.yaml.version = version;
                else
                    this.directives = new directives.Directives({ version });
                opt = { resolveKnownTags: true, schema: 'core' };
                break;
            case null:
                if (this.directives)
                    delete this.directives;
                opt = null;
                break;
            default: {
                const sv = JSON.stringify(version);
                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
            }
        }
        // Not using `instanceof Schema` to allow for duck typing
        if (options.schema instanceof Object)
            this.schema = options.schema;
        else if (opt)
            this.schema = new Schema.Schema(Object.assign(opt, options));
        else
            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
    }
    // json & jsonArg are only used from toJSON()
    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
            anchors: new Map(),
            doc: this,
            keep: !json,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
    /**
     * A JSON representation of the document `contents`.
     *
     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
     *   property name.
     */
    toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
    }
    /** A YAML representation of the document. */
    toString(options = {}) {
        if (this.errors.length > 0)
            throw new Error('Document with errors cannot be stringified');
        if ('indent' in options &&
            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
            const s = JSON.stringify(options.indent);
            throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
    }
}
function assertCollection(contents) {
    if (identity.isCollection(contents))
        return true;
    throw new Error('Expected a YAML collection as document contents');
}

exports.Document = Document;


/***/ }),

/***/ 1596:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

/**
 * Verify that the input string is a valid anchor.
 *
 * Will throw on errors.
 */
function anchorIsValid(anchor) {
    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
    }
    return true;
}
function anchorNames(root) {
    const anchors = new Set();
    visit.visit(root, {
        Value(_key, node) {
            if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return anchors;
}
/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
function findNewAnchor(prefix, exclude) {
    for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
            return name;
    }
}
function createNodeAnchors(doc, prefix) {
    const aliasObjects = [];
    const sourceObjects = new Map();
    let prevAnchors = null;
    return {
        onAnchor: (source) => {
            aliasObjects.push(source);
            prevAnchors ?? (prevAnchors = anchorNames(doc));
            const anchor = findNewAnchor(prefix, prevAnchors);
            prevAnchors.add(anchor);
            return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
            for (const source of aliasObjects) {
                const ref = sourceObjects.get(source);
                if (typeof ref === 'object' &&
                    ref.anchor &&
                    (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
                    ref.node.anchor = ref.anchor;
                }
                else {
                    const error = new Error('Failed to resolve repeated object (this should not happen)');
                    error.source = source;
                    throw error;
                }
            }
        },
        sourceObjects
    };
}

exports.anchorIsValid = anchorIsValid;
exports.anchorNames = anchorNames;
exports.createNodeAnchors = createNodeAnchors;
exports.findNewAnchor = findNewAnchor;


/***/ }),

/***/ 3661:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
 *
 * Includes extensions for handling Map and Set objects.
 */
function applyReviver(reviver, obj, key, val) {
    if (val && typeof val === 'object') {
        if (Array.isArray(val)) {
            for (let i = 0, len = val.length; i < len; ++i) {
                const v0 = val[i];
                const v1 = applyReviver(reviver, val, String(i), v0);
                // eslint-disable-next-line @typescript-eslint/no-array-delete
                if (v1 === undefined)
                    delete val[i];
                else if (v1 !== v0)
                    val[i] = v1;
            }
        }
        else if (val instanceof Map) {
            for (const k of Array.from(val.keys())) {
                const v0 = val.get(k);
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    val.delete(k);
                else if (v1 !== v0)
                    val.set(k, v1);
            }
        }
        else if (val instanceof Set) {
            for (const v0 of Array.from(val)) {
                const v1 = applyReviver(reviver, val, v0, v0);
                if (v1 === undefined)
                    val.delete(v0);
                else if (v1 !== v0) {
                    val.delete(v0);
                    val.add(v1);
                }
            }
        }
        else {
            for (const [k, v0] of Object.entries(val)) {
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    delete val[k];
                else if (v1 !== v0)
                    val[k] = v1;
            }
        }
    }
    return reviver.call(obj, key, val);
}

exports.applyReviver = applyReviver;


/***/ }),

/***/ 2404:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

const defaultTagPrefix = 'tag:yaml.org,2002:';
function findTagObject(value, tagName, tags) {
    if (tagName) {
        const match = tags.filter(t => t.tag === tagName);
        const tagObj = match.find(t => !t.format) ?? match[0];
        if (!tagObj)
            throw new Error(`Tag ${tagName} not found`);
        return tagObj;
    }
    return tags.find(t => t.identify?.(value) && !t.format);
}
function createNode(value, tagName, ctx) {
    if (identity.isDocument(value))
        value = value.contents;
    if (identity.isNode(value))
        return value;
    if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
    }
    if (value instanceof String ||
        value instanceof Number ||
        value instanceof Boolean ||
        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
    ) {
        // https://tc39.es/ecma262/#sec-serializejsonproperty
        value = value.valueOf();
    }
    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
    // Detect duplicate references to the same object & use Alias nodes for all
    // after first. The `ref` wrapper allows for circular references to resolve.
    let ref = undefined;
    if (aliasDuplicateObjects && value && typeof value === 'object') {
        ref = sourceObjects.get(value);
        if (ref) {
            ref.anchor ?? (ref.anchor = onAnchor(value));
            return new Alias.Alias(ref.anchor);
        }
        else {
            ref = { anchor: null, node: null };
            sourceObjects.set(value, ref);
        }
    }
    if (tagName?.startsWith('!!'))
        tagName = defaultTagPrefix + tagName.slice(2);
    let tagObj = findTagObject(value, tagName, schema.tags);
    if (!tagObj) {
        if (value && typeof value.toJSON === 'function') {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
            value = value.toJSON();
        }
        if (!value || typeof value !== 'object') {
            const node = new Scalar.Scalar(value);
            if (ref)
                ref.node = node;
            return node;
        }
        tagObj =
            value instanceof Map
                ? schema[identity.MAP]
                : Symbol.iterator in Object(value)
                    ? schema[identity.SEQ]
                    : schema[identity.MAP];
    }
    if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
    }
    const node = tagObj?.createNode
        ? tagObj.createNode(ctx.schema, value, ctx)
        : typeof tagObj?.nodeClass?.from === 'function'
            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
            : new Scalar.Scalar(value);
    if (tagName)
        node.tag = tagName;
    else if (!tagObj.default)
        node.tag = tagObj.tag;
    if (ref)
        ref.node = node;
    return node;
}

exports.createNode = createNode;


/***/ }),

/***/ 1342:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

const escapeChars = {
    '!': '%21',
    ',': '%2C',
    '[': '%5B',
    ']': '%5D',
    '{': '%7B',
    '}': '%7D'
};
const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
class Directives {
    constructor(yaml, tags) {
        /**
         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
         * included in the document's stringified representation.
         */
        this.docStart = null;
        /** The doc-end marker `...`.  */
        this.docEnd = false;
        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, Directives.defaultTags, tags);
    }
    clone() {
        const copy = new Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
    }
    /**
     * During parsing, get a Directives instance for the current document and
     * update the stream state according to the current version's spec.
     */
    atDocument() {
        const res = new Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
            case '1.1':
                this.atNextDocument = true;
                break;
            case '1.2':
                this.atNextDocument = false;
                this.yaml = {
                    explicit: Directives.defaultYaml.explicit,
                    version: '1.2'
                };
                this.tags = Object.assign({}, Directives.defaultTags);
                break;
        }
        return res;
    }
    /**
     * @param onError - May be called even if the action was successful
     * @returns `true` on success
     */
    add(line, onError) {
        if (this.atNextDocument) {
            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
            this.tags = Object.assign({}, Directives.defaultTags);
            this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
            case '%TAG': {
                if (parts.length !== 2) {
                    onError(0, '%TAG directive should contain exactly two parts');
                    if (parts.length < 2)
                        return false;
                }
                const [handle, prefix] = parts;
                this.tags[handle] = prefix;
                return true;
            }
            case '%YAML': {
                this.yaml.explicit = true;
                if (parts.length !== 1) {
                    onError(0, '%YAML directive should contain exactly one part');
                    return false;
                }
                const [version] = parts;
                if (version === '1.1' || version === '1.2') {
                    this.yaml.version = version;
                    return true;
                }
                else {
                    const isValid = /^\d+\.\d+$/.test(version);
                    onError(6, `Unsupported YAML version ${version}`, isValid);
                    return false;
                }
            }
            default:
                onError(0, `Unknown directive ${name}`, true);
                return false;
        }
    }
    /**
     * Resolves a tag, matching handles to those defined in %TAG directives.
     *
     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
     *   `'!local'` tag, or `null` if unresolvable.
     */
    tagName(source, onError) {
        if (source === '!')
            return '!'; // non-specific tag
        if (source[0] !== '!') {
            onError(`Not a valid tag: ${source}`);
            return null;
        }
        if (source[1] === '<') {
            const verbatim = source.slice(2, -1);
            if (verbatim === '!' || verbatim === '!!') {
                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
                return null;
            }
            if (source[source.length - 1] !== '>')
                onError('Verbatim tags must end with a >');
            return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
            onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
            try {
                return prefix + decodeURIComponent(suffix);
            }
            catch (error) {
                onError(String(error));
                return null;
            }
        }
        if (handle === '!')
            return source; // local tag
        onError(`Could not resolve tag: ${source}`);
        return null;
    }
    /**
     * Given a fully resolved tag, returns its printable string form,
     * taking into account current tag prefixes and defaults.
     */
    tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
            if (tag.startsWith(prefix))
                return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === '!' ? tag : `!<${tag}>`;
    }
    toString(doc) {
        const lines = this.yaml.explicit
            ? [`%YAML ${this.yaml.version || '1.2'}`]
            : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
            const tags = {};
            visit.visit(doc.contents, (_key, node) => {
                if (identity.isNode(node) && node.tag)
                    tags[node.tag] = true;
            });
            tagNames = Object.keys(tags);
        }
        else
            tagNames = [];
        for (const [handle, prefix] of tagEntries) {
            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
                continue;
            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
                lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join('\n');
    }
}
Directives.defaultYaml = { explicit: false, version: '1.2' };
Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

exports.Directives = Directives;


/***/ }),

/***/ 1464:
/***/ ((__unused_webpack_module, exports) => {



class YAMLError extends Error {
    constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
    }
}
class YAMLParseError extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLParseError', pos, code, message);
    }
}
class YAMLWarning extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLWarning', pos, code, message);
    }
}
const prettifyError = (src, lc) => (error) => {
    if (error.pos[0] === -1)
        return;
    error.linePos = error.pos.map(pos => lc.linePos(pos));
    const { line, col } = error.linePos[0];
    error.message += ` at line ${line}, column ${col}`;
    let ci = col - 1;
    let lineStr = src
        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
        .replace(/[\n\r]+$/, '');
    // Trim to max 80 chars, keeping col position near the middle
    if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = '…' + lineStr.substring(trimStart);
        ci -= trimStart - 1;
    }
    if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + '…';
    // Include previous line in context if pointing at line start
    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        // Regexp won't match if start is trimmed
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
            prev = prev.substring(0, 79) + '…\n';
        lineStr = prev + lineStr;
    }
    if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
            count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = ' '.repeat(ci) + '^'.repeat(count);
        error.message += `:\n\n${lineStr}\n${pointer}\n`;
    }
};

exports.YAMLError = YAMLError;
exports.YAMLParseError = YAMLParseError;
exports.YAMLWarning = YAMLWarning;
exports.prettifyError = prettifyError;


/***/ }),

/***/ 8815:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var Schema = __nccwpck_require__(5840);
var errors = __nccwpck_require__(1464);
var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);
var publicApi = __nccwpck_require__(4047);
var visit = __nccwpck_require__(204);



__webpack_unused_export__ = composer.Composer;
__webpack_unused_export__ = Document.Document;
__webpack_unused_export__ = Schema.Schema;
__webpack_unused_export__ = errors.YAMLError;
__webpack_unused_export__ = errors.YAMLParseError;
__webpack_unused_export__ = errors.YAMLWarning;
__webpack_unused_export__ = Alias.Alias;
exports.Vj = identity.isAlias;
__webpack_unused_export__ = identity.isCollection;
__webpack_unused_export__ = identity.isDocument;
exports.jh = identity.isMap;
__webpack_unused_export__ = identity.isNode;
exports.tO = identity.isPair;
exports.jn = identity.isScalar;
exports.oP = identity.isSeq;
__webpack_unused_export__ = Pair.Pair;
__webpack_unused_export__ = Scalar.Scalar;
__webpack_unused_export__ = YAMLMap.YAMLMap;
__webpack_unused_export__ = YAMLSeq.YAMLSeq;
__webpack_unused_export__ = cst;
__webpack_unused_export__ = lexer.Lexer;
__webpack_unused_export__ = lineCounter.LineCounter;
__webpack_unused_export__ = parser.Parser;
exports.qg = publicApi.parse;
exports.hR = publicApi.parseAllDocuments;
__webpack_unused_export__ = publicApi.parseDocument;
__webpack_unused_export__ = publicApi.stringify;
__webpack_unused_export__ = visit.visit;
__webpack_unused_export__ = visit.visitAsync;


/***/ }),

/***/ 7249:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);

function debug(logLevel, ...messages) {
    if (logLevel === 'debug')
        console.log(...messages);
}
function warn(logLevel, warning) {
    if (logLevel === 'debug' || logLevel === 'warn') {
        if (typeof node_process.emitWarning === 'function')
            node_process.emitWarning(warning);
        else
            console.warn(warning);
    }
}

exports.debug = debug;
exports.warn = warn;


/***/ }),

/***/ 4065:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var visit = __nccwpck_require__(204);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

class Alias extends Node.NodeBase {
    constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, 'tag', {
            set() {
                throw new Error('Alias nodes cannot have tags');
            }
        });
    }
    /**
     * Resolve the value of this alias within `doc`, finding the last
     * instance of the `source` anchor before this node.
     */
    resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
            throw new ReferenceError('Alias resolution is disabled');
        let nodes;
        if (ctx?.aliasResolveCache) {
            nodes = ctx.aliasResolveCache;
        }
        else {
            nodes = [];
            visit.visit(doc, {
                Node: (_key, node) => {
                    if (identity.isAlias(node) || identity.hasAnchor(node))
                        nodes.push(node);
                }
            });
            if (ctx)
                ctx.aliasResolveCache = nodes;
        }
        let found = undefined;
        for (const node of nodes) {
            if (node === this)
                break;
            if (node.anchor === this.source)
                found = node;
        }
        if (found && ctx) {
            const { anchors, doc, maxAliasCount } = ctx;
            let data = anchors.get(found);
            if (!data) {
                // Resolve anchors for Node.prototype.toJS()
                toJS.toJS(found, null, ctx);
                data = anchors.get(found);
            }
            /* istanbul ignore if */
            if (data?.res === undefined) {
                const msg = 'This should not happen: Alias anchor was not resolved?';
                throw new ReferenceError(msg);
            }
            if (maxAliasCount >= 0) {
                data.count += 1;
                if (data.aliasCount === 0)
                    data.aliasCount = getAliasCount(doc, found, anchors);
                if (data.count * data.aliasCount > maxAliasCount) {
                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
                    throw new ReferenceError(msg);
                }
            }
        }
        return found;
    }
    toJSON(_arg, ctx) {
        if (!ctx)
            return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
    }
    toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
            anchors.anchorIsValid(this.source);
            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
                throw new Error(msg);
            }
            if (ctx.implicitKey)
                return `${src} `;
        }
        return src;
    }
}
function getAliasCount(doc, node, anchors) {
    if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors && source && anchors.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
            const c = getAliasCount(doc, item, anchors);
            if (c > count)
                count = c;
        }
        return count;
    }
    else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors);
        const vc = getAliasCount(doc, node.value, anchors);
        return Math.max(kc, vc);
    }
    return 1;
}

exports.Alias = Alias;


/***/ }),

/***/ 101:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);

function collectionFromPath(schema, path, value) {
    let v = value;
    for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
            const a = [];
            a[k] = v;
            v = a;
        }
        else {
            v = new Map([[k, v]]);
        }
    }
    return createNode.createNode(v, undefined, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
            throw new Error('This should not happen, please report a bug.');
        },
        schema,
        sourceObjects: new Map()
    });
}
// Type guard is intentionally a little wrong so as to be more useful,
// as it does not cover untypable empty non-string iterables (e.g. []).
const isEmptyPath = (path) => path == null ||
    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
class Collection extends Node.NodeBase {
    constructor(type, schema) {
        super(type);
        Object.defineProperty(this, 'schema', {
            value: schema,
            configurable: true,
            enumerable: false,
            writable: true
        });
    }
    /**
     * Create a copy of this collection.
     *
     * @param schema - If defined, overwrites the original's schema
     */
    clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
            copy.schema = schema;
        copy.items = copy.items.map(it => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /**
     * Adds a value to the collection. For `!!map` and `!!omap` the value must
     * be a Pair instance or a `{ key, value }` object, which may not have a key
     * that already exists in the map.
     */
    addIn(path, value) {
        if (isEmptyPath(path))
            this.add(value);
        else {
            const [key, ...rest] = path;
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.addIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
    /**
     * Removes a value from the collection.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
            return node.deleteIn(rest);
        else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
            return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
            return identity.isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
    }
    hasAllNullValues(allowScalar) {
        return this.items.every(node => {
            if (!identity.isPair(node))
                return false;
            const n = node.value;
            return (n == null ||
                (allowScalar &&
                    identity.isScalar(n) &&
                    n.value == null &&
                    !n.commentBefore &&
                    !n.comment &&
                    !n.tag));
        });
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     */
    hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
            this.set(key, value);
        }
        else {
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.setIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
}

exports.Collection = Collection;
exports.collectionFromPath = collectionFromPath;
exports.isEmptyPath = isEmptyPath;


/***/ }),

/***/ 6673:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var applyReviver = __nccwpck_require__(3661);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

class NodeBase {
    constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
    }
    /** Create a copy of this node.  */
    clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** A plain JavaScript representation of this node. */
    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
            throw new TypeError('A document argument is required');
        const ctx = {
            anchors: new Map(),
            doc,
            keep: true,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
}

exports.NodeBase = NodeBase;


/***/ }),

/***/ 7165:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyPair = __nccwpck_require__(9748);
var addPairToJSMap = __nccwpck_require__(7104);
var identity = __nccwpck_require__(1127);

function createPair(key, value, ctx) {
    const k = createNode.createNode(key, undefined, ctx);
    const v = createNode.createNode(value, undefined, ctx);
    return new Pair(k, v);
}
class Pair {
    constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
    }
    clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
            key = key.clone(schema);
        if (identity.isNode(value))
            value = value.clone(schema);
        return new Pair(key, value);
    }
    toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
    }
    toString(ctx, onComment, onChompKeep) {
        return ctx?.doc
            ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep)
            : JSON.stringify(this);
    }
}

exports.Pair = Pair;
exports.createPair = createPair;


/***/ }),

/***/ 3301:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
class Scalar extends Node.NodeBase {
    constructor(value) {
        super(identity.SCALAR);
        this.value = value;
    }
    toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
    }
    toString() {
        return String(this.value);
    }
}
Scalar.BLOCK_FOLDED = 'BLOCK_FOLDED';
Scalar.BLOCK_LITERAL = 'BLOCK_LITERAL';
Scalar.PLAIN = 'PLAIN';
Scalar.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
Scalar.QUOTE_SINGLE = 'QUOTE_SINGLE';

exports.Scalar = Scalar;
exports.isScalarValue = isScalarValue;


/***/ }),

/***/ 4454:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyCollection = __nccwpck_require__(1212);
var addPairToJSMap = __nccwpck_require__(7104);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);

function findPair(items, key) {
    const k = identity.isScalar(key) ? key.value : key;
    for (const it of items) {
        if (identity.isPair(it)) {
            if (it.key === key || it.key === k)
                return it;
            if (identity.isScalar(it.key) && it.key.value === k)
                return it;
        }
    }
    return undefined;
}
class YAMLMap extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:map';
    }
    constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
    }
    /**
     * A generic collection parsing method that can be extended
     * to other node classes that inherit from YAMLMap
     */
    static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
            if (typeof replacer === 'function')
                value = replacer.call(obj, key, value);
            else if (Array.isArray(replacer) && !replacer.includes(key))
                return;
            if (value !== undefined || keepUndefined)
                map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
            for (const [key, value] of obj)
                add(key, value);
        }
        else if (obj && typeof obj === 'object') {
            for (const key of Object.keys(obj))
                add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === 'function') {
            map.items.sort(schema.sortMapEntries);
        }
        return map;
    }
    /**
     * Adds a value to the collection.
     *
     * @param overwrite - If not set `true`, using a key that is already in the
     *   collection will throw. Otherwise, overwrites the previous value.
     */
    add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
            _pair = pair;
        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
            // In TypeScript, this never happens.
            _pair = new Pair.Pair(pair, pair?.value);
        }
        else
            _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
            if (!overwrite)
                throw new Error(`Key ${_pair.key} already set`);
            // For scalars, keep the old node & its comments and anchors
            if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
                prev.value.value = _pair.value;
            else
                prev.value = _pair.value;
        }
        else if (sortEntries) {
            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
            if (i === -1)
                this.items.push(_pair);
            else
                this.items.splice(i, 0, _pair);
        }
        else {
            this.items.push(_pair);
        }
    }
    delete(key) {
        const it = findPair(this.items, key);
        if (!it)
            return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? undefined;
    }
    has(key) {
        return !!findPair(this.items, key);
    }
    set(key, value) {
        this.add(new Pair.Pair(key, value), true);
    }
    /**
     * @param ctx - Conversion context, originally set in Document#toJS()
     * @param {Class} Type - If set, forces the returned collection type
     * @returns Instance of Type, Map, or Object
     */
    toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const item of this.items)
            addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        for (const item of this.items) {
            if (!identity.isPair(item))
                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
            ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '',
            flowChars: { start: '{', end: '}' },
            itemIndent: ctx.indent || '',
            onChompKeep,
            onComment
        });
    }
}

exports.YAMLMap = YAMLMap;
exports.findPair = findPair;


/***/ }),

/***/ 2223:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyCollection = __nccwpck_require__(1212);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var toJS = __nccwpck_require__(4043);

class YAMLSeq extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:seq';
    }
    constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
    }
    add(value) {
        this.items.push(value);
    }
    /**
     * Removes a value from the collection.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     *
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return undefined;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     */
    has(key) {
        const idx = asItemIndex(key);
        return typeof idx === 'number' && idx < this.items.length;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     *
     * If `key` does not contain a representation of an integer, this will throw.
     * It may be wrapped in a `Scalar`.
     */
    set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
            prev.value = value;
        else
            this.items[idx] = value;
    }
    toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
            ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
            seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '- ',
            flowChars: { start: '[', end: ']' },
            itemIndent: (ctx.indent || '') + '  ',
            onChompKeep,
            onComment
        });
    }
    static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
            let i = 0;
            for (let it of obj) {
                if (typeof replacer === 'function') {
                    const key = obj instanceof Set ? it : String(i++);
                    it = replacer.call(obj, key, it);
                }
                seq.items.push(createNode.createNode(it, undefined, ctx));
            }
        }
        return seq;
    }
}
function asItemIndex(key) {
    let idx = identity.isScalar(key) ? key.value : key;
    if (idx && typeof idx === 'string')
        idx = Number(idx);
    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
        ? idx
        : null;
}

exports.YAMLSeq = YAMLSeq;


/***/ }),

/***/ 7104:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var log = __nccwpck_require__(7249);
var merge = __nccwpck_require__(452);
var stringify = __nccwpck_require__(9767);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

function addPairToJSMap(ctx, map, { key, value }) {
    if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
    // TODO: Should drop this special case for bare << handling
    else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
    else {
        const jsKey = toJS.toJS(key, '', ctx);
        if (map instanceof Map) {
            map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        }
        else if (map instanceof Set) {
            map.add(jsKey);
        }
        else {
            const stringKey = stringifyKey(key, jsKey, ctx);
            const jsValue = toJS.toJS(value, stringKey, ctx);
            if (stringKey in map)
                Object.defineProperty(map, stringKey, {
                    value: jsValue,
                    writable: true,
                    enumerable: true,
                    configurable: true
                });
            else
                map[stringKey] = jsValue;
        }
    }
    return map;
}
function stringifyKey(key, jsKey, ctx) {
    if (jsKey === null)
        return '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (typeof jsKey !== 'object')
        return String(jsKey);
    if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify.createStringifyContext(ctx.doc, {});
        strCtx.anchors = new Set();
        for (const node of ctx.anchors.keys())
            strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
            let jsonStr = JSON.stringify(strKey);
            if (jsonStr.length > 40)
                jsonStr = jsonStr.substring(0, 36) + '..."';
            log.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
            ctx.mapKeyWarned = true;
        }
        return strKey;
    }
    return JSON.stringify(jsKey);
}

exports.addPairToJSMap = addPairToJSMap;


/***/ }),

/***/ 1127:
/***/ ((__unused_webpack_module, exports) => {



const ALIAS = Symbol.for('yaml.alias');
const DOC = Symbol.for('yaml.document');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');
const NODE_TYPE = Symbol.for('yaml.node.type');
const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR;
const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
function isCollection(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case MAP:
            case SEQ:
                return true;
        }
    return false;
}
function isNode(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case ALIAS:
            case MAP:
            case SCALAR:
            case SEQ:
                return true;
        }
    return false;
}
const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

exports.ALIAS = ALIAS;
exports.DOC = DOC;
exports.MAP = MAP;
exports.NODE_TYPE = NODE_TYPE;
exports.PAIR = PAIR;
exports.SCALAR = SCALAR;
exports.SEQ = SEQ;
exports.hasAnchor = hasAnchor;
exports.isAlias = isAlias;
exports.isCollection = isCollection;
exports.isDocument = isDocument;
exports.isMap = isMap;
exports.isNode = isNode;
exports.isPair = isPair;
exports.isScalar = isScalar;
exports.isSeq = isSeq;


/***/ }),

/***/ 4043:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

/**
 * Recursively convert any node or its contents to native JavaScript
 *
 * @param value - The input value
 * @param arg - If `value` defines a `toJSON()` method, use this
 *   as its first argument
 * @param ctx - Conversion context, originally set in Document#toJS(). If
 *   `{ keep: true }` is not set, output should be suitable for JSON
 *   stringification.
 */
function toJS(value, arg, ctx) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
    if (value && typeof value.toJSON === 'function') {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
        if (!ctx || !identity.hasAnchor(value))
            return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: undefined };
        ctx.anchors.set(value, data);
        ctx.onCreate = res => {
            data.res = res;
            delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
            ctx.onCreate(res);
        return res;
    }
    if (typeof value === 'bigint' && !ctx?.keep)
        return Number(value);
    return value;
}

exports.toJS = toJS;


/***/ }),

/***/ 110:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);
var errors = __nccwpck_require__(1464);
var stringifyString = __nccwpck_require__(3069);

function resolveAsScalar(token, strict = true, onError) {
    if (token) {
        const _onError = (pos, code, message) => {
            const offset = typeof pos === 'number' ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
            if (onError)
                onError(offset, code, message);
            else
                throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
            case 'block-scalar':
                return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
    }
    return null;
}
/**
 * Create a new scalar token with `value`
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.end Comments and whitespace after the end of the value, or after the block scalar header. If undefined, a newline will be added.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.indent The indent level of the token.
 * @param context.inFlow Is this scalar within a flow collection? This may affect the resolved type of the token's value.
 * @param context.offset The offset position of the token.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function createScalarToken(value, context) {
    const { implicitKey = false, indent, inFlow = false, offset = -1, type = 'PLAIN' } = context;
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    const end = context.end ?? [
        { type: 'newline', offset: -1, indent, source: '\n' }
    ];
    switch (source[0]) {
        case '|':
        case '>': {
            const he = source.indexOf('\n');
            const head = source.substring(0, he);
            const body = source.substring(he + 1) + '\n';
            const props = [
                { type: 'block-scalar-header', offset, indent, source: head }
            ];
            if (!addEndtoBlockProps(props, end))
                props.push({ type: 'newline', offset: -1, indent, source: '\n' });
            return { type: 'block-scalar', offset, indent, props, source: body };
        }
        case '"':
            return { type: 'double-quoted-scalar', offset, indent, source, end };
        case "'":
            return { type: 'single-quoted-scalar', offset, indent, source, end };
        default:
            return { type: 'scalar', offset, indent, source, end };
    }
}
/**
 * Set the value of `token` to the given string `value`, overwriting any previous contents and type that it may have.
 *
 * Best efforts are made to retain any comments previously associated with the `token`,
 * though all contents within a collection's `items` will be overwritten.
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param token Any token. If it does not include an `indent` value, the value will be stringified as if it were an implicit key.
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.afterKey In most cases, values after a key should have an additional level of indentation.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.inFlow Being within a flow collection may affect the resolved type of the token's value.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function setScalarValue(token, value, context = {}) {
    let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
    let indent = 'indent' in token ? token.indent : null;
    if (afterKey && typeof indent === 'number')
        indent += 2;
    if (!type)
        switch (token.type) {
            case 'single-quoted-scalar':
                type = 'QUOTE_SINGLE';
                break;
            case 'double-quoted-scalar':
                type = 'QUOTE_DOUBLE';
                break;
            case 'block-scalar': {
                const header = token.props[0];
                if (header.type !== 'block-scalar-header')
                    throw new Error('Invalid block scalar header');
                type = header.source[0] === '>' ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
                break;
            }
            default:
                type = 'PLAIN';
        }
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent === null,
        indent: indent !== null && indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    switch (source[0]) {
        case '|':
        case '>':
            setBlockScalarValue(token, source);
            break;
        case '"':
            setFlowScalarValue(token, source, 'double-quoted-scalar');
            break;
        case "'":
            setFlowScalarValue(token, source, 'single-quoted-scalar');
            break;
        default:
            setFlowScalarValue(token, source, 'scalar');
    }
}
function setBlockScalarValue(token, source) {
    const he = source.indexOf('\n');
    const head = source.substring(0, he);
    const body = source.substring(he + 1) + '\n';
    if (token.type === 'block-scalar') {
        const header = token.props[0];
        if (header.type !== 'block-scalar-header')
            throw new Error('Invalid block scalar header');
        header.source = head;
        token.source = body;
    }
    else {
        const { offset } = token;
        const indent = 'indent' in token ? token.indent : -1;
        const props = [
            { type: 'block-scalar-header', offset, indent, source: head }
        ];
        if (!addEndtoBlockProps(props, 'end' in token ? token.end : undefined))
            props.push({ type: 'newline', offset: -1, indent, source: '\n' });
        for (const key of Object.keys(token))
            if (key !== 'type' && key !== 'offset')
                delete token[key];
        Object.assign(token, { type: 'block-scalar', indent, props, source: body });
    }
}
/** @returns `true` if last token is a newline */
function addEndtoBlockProps(props, end) {
    if (end)
        for (const st of end)
            switch (st.type) {
                case 'space':
                case 'comment':
                    props.push(st);
                    break;
                case 'newline':
                    props.push(st);
                    return true;
            }
    return false;
}
function setFlowScalarValue(token, source, type) {
    switch (token.type) {
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            token.type = type;
            token.source = source;
            break;
        case 'block-scalar': {
            const end = token.props.slice(1);
            let oa = source.length;
            if (token.props[0].type === 'block-scalar-header')
                oa -= token.props[0].source.length;
            for (const tok of end)
                tok.offset += oa;
            delete token.props;
            Object.assign(token, { type, source, end });
            break;
        }
        case 'block-map':
        case 'block-seq': {
            const offset = token.offset + source.length;
            const nl = { type: 'newline', offset, indent: token.indent, source: '\n' };
            delete token.items;
            Object.assign(token, { type, source, end: [nl] });
            break;
        }
        default: {
            const indent = 'indent' in token ? token.indent : -1;
            const end = 'end' in token && Array.isArray(token.end)
                ? token.end.filter(st => st.type === 'space' ||
                    st.type === 'comment' ||
                    st.type === 'newline')
                : [];
            for (const key of Object.keys(token))
                if (key !== 'type' && key !== 'offset')
                    delete token[key];
            Object.assign(token, { type, indent, source, end });
        }
    }
}

exports.createScalarToken = createScalarToken;
exports.resolveAsScalar = resolveAsScalar;
exports.setScalarValue = setScalarValue;


/***/ }),

/***/ 1733:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringify a CST document, token, or collection item
 *
 * Fair warning: This applies no validation whatsoever, and
 * simply concatenates the sources in their logical order.
 */
const stringify = (cst) => 'type' in cst ? stringifyToken(cst) : stringifyItem(cst);
function stringifyToken(token) {
    switch (token.type) {
        case 'block-scalar': {
            let res = '';
            for (const tok of token.props)
                res += stringifyToken(tok);
            return res + token.source;
        }
        case 'block-map':
        case 'block-seq': {
            let res = '';
            for (const item of token.items)
                res += stringifyItem(item);
            return res;
        }
        case 'flow-collection': {
            let res = token.start.source;
            for (const item of token.items)
                res += stringifyItem(item);
            for (const st of token.end)
                res += st.source;
            return res;
        }
        case 'document': {
            let res = stringifyItem(token);
            if (token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
        default: {
            let res = token.source;
            if ('end' in token && token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
    }
}
function stringifyItem({ start, key, sep, value }) {
    let res = '';
    for (const st of start)
        res += st.source;
    if (key)
        res += stringifyToken(key);
    if (sep)
        for (const st of sep)
            res += st.source;
    if (value)
        res += stringifyToken(value);
    return res;
}

exports.stringify = stringify;


/***/ }),

/***/ 7715:
/***/ ((__unused_webpack_module, exports) => {



const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove item');
/**
 * Apply a visitor to a CST document or item.
 *
 * Walks through the tree (depth-first) starting from the root, calling a
 * `visitor` function with two arguments when entering each item:
 *   - `item`: The current item, which included the following members:
 *     - `start: SourceToken[]` – Source tokens before the key or value,
 *       possibly including its anchor or tag.
 *     - `key?: Token | null` – Set for pair values. May then be `null`, if
 *       the key before the `:` separator is empty.
 *     - `sep?: SourceToken[]` – Source tokens between the key and the value,
 *       which should include the `:` map value indicator if `value` is set.
 *     - `value?: Token` – The value of a sequence item, or of a map pair.
 *   - `path`: The steps from the root to the current node, as an array of
 *     `['key' | 'value', number]` tuples.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this token, continue with
 *      next sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current item, then continue with the next one
 *   - `number`: Set the index of the next step. This is useful especially if
 *     the index of the current token has changed.
 *   - `function`: Define the next visitor for this item. After the original
 *     visitor is called on item entry, next visitors are called after handling
 *     a non-empty `key` and when exiting the item.
 */
function visit(cst, visitor) {
    if ('type' in cst && cst.type === 'document')
        cst = { start: cst.start, value: cst.value };
    _visit(Object.freeze([]), cst, visitor);
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current item */
visit.SKIP = SKIP;
/** Remove the current item */
visit.REMOVE = REMOVE;
/** Find the item at `path` from `cst` as the root */
visit.itemAtPath = (cst, path) => {
    let item = cst;
    for (const [field, index] of path) {
        const tok = item?.[field];
        if (tok && 'items' in tok) {
            item = tok.items[index];
        }
        else
            return undefined;
    }
    return item;
};
/**
 * Get the immediate parent collection of the item at `path` from `cst` as the root.
 *
 * Throws an error if the collection is not found, which should never happen if the item itself exists.
 */
visit.parentCollection = (cst, path) => {
    const parent = visit.itemAtPath(cst, path.slice(0, -1));
    const field = path[path.length - 1][0];
    const coll = parent?.[field];
    if (coll && 'items' in coll)
        return coll;
    throw new Error('Parent collection not found');
};
function _visit(path, item, visitor) {
    let ctrl = visitor(item, path);
    if (typeof ctrl === 'symbol')
        return ctrl;
    for (const field of ['key', 'value']) {
        const token = item[field];
        if (token && 'items' in token) {
            for (let i = 0; i < token.items.length; ++i) {
                const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    token.items.splice(i, 1);
                    i -= 1;
                }
            }
            if (typeof ctrl === 'function' && field === 'key')
                ctrl = ctrl(item, path);
        }
    }
    return typeof ctrl === 'function' ? ctrl(item, path) : ctrl;
}

exports.visit = visit;


/***/ }),

/***/ 3461:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cstScalar = __nccwpck_require__(110);
var cstStringify = __nccwpck_require__(1733);
var cstVisit = __nccwpck_require__(7715);

/** The byte order mark */
const BOM = '\u{FEFF}';
/** Start of doc-mode */
const DOCUMENT = '\x02'; // C0: Start of Text
/** Unexpected end of flow-mode */
const FLOW_END = '\x18'; // C0: Cancel
/** Next token is a scalar value */
const SCALAR = '\x1f'; // C0: Unit Separator
/** @returns `true` if `token` is a flow or block collection */
const isCollection = (token) => !!token && 'items' in token;
/** @returns `true` if `token` is a flow or block scalar; not an alias */
const isScalar = (token) => !!token &&
    (token.type === 'scalar' ||
        token.type === 'single-quoted-scalar' ||
        token.type === 'double-quoted-scalar' ||
        token.type === 'block-scalar');
/* istanbul ignore next */
/** Get a printable representation of a lexer token */
function prettyToken(token) {
    switch (token) {
        case BOM:
            return '<BOM>';
        case DOCUMENT:
            return '<DOC>';
        case FLOW_END:
            return '<FLOW_END>';
        case SCALAR:
            return '<SCALAR>';
        default:
            return JSON.stringify(token);
    }
}
/** Identify the type of a lexer token. May return `null` for unknown tokens. */
function tokenType(source) {
    switch (source) {
        case BOM:
            return 'byte-order-mark';
        case DOCUMENT:
            return 'doc-mode';
        case FLOW_END:
            return 'flow-error-end';
        case SCALAR:
            return 'scalar';
        case '---':
            return 'doc-start';
        case '...':
            return 'doc-end';
        case '':
        case '\n':
        case '\r\n':
            return 'newline';
        case '-':
            return 'seq-item-ind';
        case '?':
            return 'explicit-key-ind';
        case ':':
            return 'map-value-ind';
        case '{':
            return 'flow-map-start';
        case '}':
            return 'flow-map-end';
        case '[':
            return 'flow-seq-start';
        case ']':
            return 'flow-seq-end';
        case ',':
            return 'comma';
    }
    switch (source[0]) {
        case ' ':
        case '\t':
            return 'space';
        case '#':
            return 'comment';
        case '%':
            return 'directive-line';
        case '*':
            return 'alias';
        case '&':
            return 'anchor';
        case '!':
            return 'tag';
        case "'":
            return 'single-quoted-scalar';
        case '"':
            return 'double-quoted-scalar';
        case '|':
        case '>':
            return 'block-scalar-header';
    }
    return null;
}

exports.createScalarToken = cstScalar.createScalarToken;
exports.resolveAsScalar = cstScalar.resolveAsScalar;
exports.setScalarValue = cstScalar.setScalarValue;
exports.stringify = cstStringify.stringify;
exports.visit = cstVisit.visit;
exports.BOM = BOM;
exports.DOCUMENT = DOCUMENT;
exports.FLOW_END = FLOW_END;
exports.SCALAR = SCALAR;
exports.isCollection = isCollection;
exports.isScalar = isScalar;
exports.prettyToken = prettyToken;
exports.tokenType = tokenType;


/***/ }),

/***/ 361:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cst = __nccwpck_require__(3461);

/*
START -> stream

stream
  directive -> line-end -> stream
  indent + line-end -> stream
  [else] -> line-start

line-end
  comment -> line-end
  newline -> .
  input-end -> END

line-start
  doc-start -> doc
  doc-end -> stream
  [else] -> indent -> block-start

block-start
  seq-item-start -> block-start
  explicit-key-start -> block-start
  map-value-start -> block-start
  [else] -> doc

doc
  line-end -> line-start
  spaces -> doc
  anchor -> doc
  tag -> doc
  flow-start -> flow -> doc
  flow-end -> error -> doc
  seq-item-start -> error -> doc
  explicit-key-start -> error -> doc
  map-value-start -> doc
  alias -> doc
  quote-start -> quoted-scalar -> doc
  block-scalar-header -> line-end -> block-scalar(min) -> line-start
  [else] -> plain-scalar(false, min) -> doc

flow
  line-end -> flow
  spaces -> flow
  anchor -> flow
  tag -> flow
  flow-start -> flow -> flow
  flow-end -> .
  seq-item-start -> error -> flow
  explicit-key-start -> flow
  map-value-start -> flow
  alias -> flow
  quote-start -> quoted-scalar -> flow
  comma -> flow
  [else] -> plain-scalar(true, 0) -> flow

quoted-scalar
  quote-end -> .
  [else] -> quoted-scalar

block-scalar(min)
  newline + peek(indent < min) -> .
  [else] -> block-scalar(min)

plain-scalar(is-flow, min)
  scalar-end(is-flow) -> .
  peek(newline + (indent < min)) -> .
  [else] -> plain-scalar(min)
*/
function isEmpty(ch) {
    switch (ch) {
        case undefined:
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            return true;
        default:
            return false;
    }
}
const hexDigits = new Set('0123456789ABCDEFabcdef');
const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const flowIndicatorChars = new Set(',[]{}');
const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
/**
 * Splits an input string into lexical tokens, i.e. smaller strings that are
 * easily identifiable by `tokens.tokenType()`.
 *
 * Lexing starts always in a "stream" context. Incomplete input may be buffered
 * until a complete token can be emitted.
 *
 * In addition to slices of the original input, the following control characters
 * may also be emitted:
 *
 * - `\x02` (Start of Text): A document starts with the next token
 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
 * - `\x1f` (Unit Separator): Next token is a scalar value
 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
 */
class Lexer {
    constructor() {
        /**
         * Flag indicating whether the end of the current buffer marks the end of
         * all input
         */
        this.atEnd = false;
        /**
         * Explicit indent set in block scalar header, as an offset from the current
         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
         * explicitly set.
         */
        this.blockScalarIndent = -1;
        /**
         * Block scalars that include a + (keep) chomping indicator in their header
         * include trailing empty lines, which are otherwise excluded from the
         * scalar's contents.
         */
        this.blockScalarKeep = false;
        /** Current input */
        this.buffer = '';
        /**
         * Flag noting whether the map value indicator : can immediately follow this
         * node within a flow context.
         */
        this.flowKey = false;
        /** Count of surrounding flow collection levels. */
        this.flowLevel = 0;
        /**
         * Minimum level of indentation required for next lines to be parsed as a
         * part of the current scalar value.
         */
        this.indentNext = 0;
        /** Indentation level of the current line. */
        this.indentValue = 0;
        /** Position of the next \n character. */
        this.lineEndPos = null;
        /** Stores the state of the lexer if reaching the end of incpomplete input */
        this.next = null;
        /** A pointer to `buffer`; the current position of the lexer. */
        this.pos = 0;
    }
    /**
     * Generate YAML tokens from the `source` string. If `incomplete`,
     * a part of the last line may be left as a buffer for the next call.
     *
     * @returns A generator of lexical tokens
     */
    *lex(source, incomplete = false) {
        if (source) {
            if (typeof source !== 'string')
                throw TypeError('source is not a string');
            this.buffer = this.buffer ? this.buffer + source : source;
            this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? 'stream';
        while (next && (incomplete || this.hasChars(1)))
            next = yield* this.parseNext(next);
    }
    atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === ' ' || ch === '\t')
            ch = this.buffer[++i];
        if (!ch || ch === '#' || ch === '\n')
            return true;
        if (ch === '\r')
            return this.buffer[i + 1] === '\n';
        return false;
    }
    charAt(n) {
        return this.buffer[this.pos + n];
    }
    continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
            let indent = 0;
            while (ch === ' ')
                ch = this.buffer[++indent + offset];
            if (ch === '\r') {
                const next = this.buffer[indent + offset + 1];
                if (next === '\n' || (!next && !this.atEnd))
                    return offset + indent + 1;
            }
            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
                ? offset + indent
                : -1;
        }
        if (ch === '-' || ch === '.') {
            const dt = this.buffer.substr(offset, 3);
            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
                return -1;
        }
        return offset;
    }
    getLine() {
        let end = this.lineEndPos;
        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
            end = this.buffer.indexOf('\n', this.pos);
            this.lineEndPos = end;
        }
        if (end === -1)
            return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === '\r')
            end -= 1;
        return this.buffer.substring(this.pos, end);
    }
    hasChars(n) {
        return this.pos + n <= this.buffer.length;
    }
    setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
    }
    peek(n) {
        return this.buffer.substr(this.pos, n);
    }
    *parseNext(next) {
        switch (next) {
            case 'stream':
                return yield* this.parseStream();
            case 'line-start':
                return yield* this.parseLineStart();
            case 'block-start':
                return yield* this.parseBlockStart();
            case 'doc':
                return yield* this.parseDocument();
            case 'flow':
                return yield* this.parseFlowCollection();
            case 'quoted-scalar':
                return yield* this.parseQuotedScalar();
            case 'block-scalar':
                return yield* this.parseBlockScalar();
            case 'plain-scalar':
                return yield* this.parsePlainScalar();
        }
    }
    *parseStream() {
        let line = this.getLine();
        if (line === null)
            return this.setNext('stream');
        if (line[0] === cst.BOM) {
            yield* this.pushCount(1);
            line = line.substring(1);
        }
        if (line[0] === '%') {
            let dirEnd = line.length;
            let cs = line.indexOf('#');
            while (cs !== -1) {
                const ch = line[cs - 1];
                if (ch === ' ' || ch === '\t') {
                    dirEnd = cs - 1;
                    break;
                }
                else {
                    cs = line.indexOf('#', cs + 1);
                }
            }
            while (true) {
                const ch = line[dirEnd - 1];
                if (ch === ' ' || ch === '\t')
                    dirEnd -= 1;
                else
                    break;
            }
            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
            yield* this.pushCount(line.length - n); // possible comment
            this.pushNewline();
            return 'stream';
        }
        if (this.atLineEnd()) {
            const sp = yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - sp);
            yield* this.pushNewline();
            return 'stream';
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
    }
    *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
            return this.setNext('line-start');
        if (ch === '-' || ch === '.') {
            if (!this.atEnd && !this.hasChars(4))
                return this.setNext('line-start');
            const s = this.peek(3);
            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
                yield* this.pushCount(3);
                this.indentValue = 0;
                this.indentNext = 0;
                return s === '---' ? 'doc' : 'stream';
            }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
            this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
    }
    *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
            return this.setNext('block-start');
        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
            this.indentNext = this.indentValue + 1;
            this.indentValue += n;
            return 'block-start';
        }
        return 'doc';
    }
    *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
            return this.setNext('doc');
        let n = yield* this.pushIndicators();
        switch (line[n]) {
            case '#':
                yield* this.pushCount(line.length - n);
            // fallthrough
            case undefined:
                yield* this.pushNewline();
                return yield* this.parseLineStart();
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel = 1;
                return 'flow';
            case '}':
            case ']':
                // this is an error
                yield* this.pushCount(1);
                return 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'doc';
            case '"':
            case "'":
                return yield* this.parseQuotedScalar();
            case '|':
            case '>':
                n += yield* this.parseBlockScalarHeader();
                n += yield* this.pushSpaces(true);
                yield* this.pushCount(line.length - n);
                yield* this.pushNewline();
                return yield* this.parseBlockScalar();
            default:
                return yield* this.parsePlainScalar();
        }
    }
    *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
            nl = yield* this.pushNewline();
            if (nl > 0) {
                sp = yield* this.pushSpaces(false);
                this.indentValue = indent = sp;
            }
            else {
                sp = 0;
            }
            sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
            return this.setNext('flow');
        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
            (indent === 0 &&
                (line.startsWith('---') || line.startsWith('...')) &&
                isEmpty(line[3]))) {
            // Allowing for the terminal ] or } at the same (rather than greater)
            // indent level as the initial [ or { is technically invalid, but
            // failing here would be surprising to users.
            const atFlowEndMarker = indent === this.indentNext - 1 &&
                this.flowLevel === 1 &&
                (line[0] === ']' || line[0] === '}');
            if (!atFlowEndMarker) {
                // this is an error
                this.flowLevel = 0;
                yield cst.FLOW_END;
                return yield* this.parseLineStart();
            }
        }
        let n = 0;
        while (line[n] === ',') {
            n += yield* this.pushCount(1);
            n += yield* this.pushSpaces(true);
            this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
            case undefined:
                return 'flow';
            case '#':
                yield* this.pushCount(line.length - n);
                return 'flow';
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel += 1;
                return 'flow';
            case '}':
            case ']':
                yield* this.pushCount(1);
                this.flowKey = true;
                this.flowLevel -= 1;
                return this.flowLevel ? 'flow' : 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'flow';
            case '"':
            case "'":
                this.flowKey = true;
                return yield* this.parseQuotedScalar();
            case ':': {
                const next = this.charAt(1);
                if (this.flowKey || isEmpty(next) || next === ',') {
                    this.flowKey = false;
                    yield* this.pushCount(1);
                    yield* this.pushSpaces(true);
                    return 'flow';
                }
            }
            // fallthrough
            default:
                this.flowKey = false;
                return yield* this.parsePlainScalar();
        }
    }
    *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
            while (end !== -1 && this.buffer[end + 1] === "'")
                end = this.buffer.indexOf("'", end + 2);
        }
        else {
            // double-quote
            while (end !== -1) {
                let n = 0;
                while (this.buffer[end - 1 - n] === '\\')
                    n += 1;
                if (n % 2 === 0)
                    break;
                end = this.buffer.indexOf('"', end + 1);
            }
        }
        // Only looking for newlines within the quotes
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf('\n', this.pos);
        if (nl !== -1) {
            while (nl !== -1) {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = qb.indexOf('\n', cs);
            }
            if (nl !== -1) {
                // this is an error caused by an unexpected unindent
                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
            }
        }
        if (end === -1) {
            if (!this.atEnd)
                return this.setNext('quoted-scalar');
            end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? 'flow' : 'doc';
    }
    *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
            const ch = this.buffer[++i];
            if (ch === '+')
                this.blockScalarKeep = true;
            else if (ch > '0' && ch <= '9')
                this.blockScalarIndent = Number(ch) - 1;
            else if (ch !== '-')
                break;
        }
        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
    }
    *parseBlockScalar() {
        let nl = this.pos - 1; // may be -1 if this.pos === 0
        let indent = 0;
        let ch;
        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
            switch (ch) {
                case ' ':
                    indent += 1;
                    break;
                case '\n':
                    nl = i;
                    indent = 0;
                    break;
                case '\r': {
                    const next = this.buffer[i + 1];
                    if (!next && !this.atEnd)
                        return this.setNext('block-scalar');
                    if (next === '\n')
                        break;
                } // fallthrough
                default:
                    break loop;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('block-scalar');
        if (indent >= this.indentNext) {
            if (this.blockScalarIndent === -1)
                this.indentNext = indent;
            else {
                this.indentNext =
                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
            }
            do {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = this.buffer.indexOf('\n', cs);
            } while (nl !== -1);
            if (nl === -1) {
                if (!this.atEnd)
                    return this.setNext('block-scalar');
                nl = this.buffer.length;
            }
        }
        // Trailing insufficiently indented tabs are invalid.
        // To catch that during parsing, we include them in the block scalar value.
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === ' ')
            ch = this.buffer[++i];
        if (ch === '\t') {
            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
                ch = this.buffer[++i];
            nl = i - 1;
        }
        else if (!this.blockScalarKeep) {
            do {
                let i = nl - 1;
                let ch = this.buffer[i];
                if (ch === '\r')
                    ch = this.buffer[--i];
                const lastChar = i; // Drop the line if last char not more indented
                while (ch === ' ')
                    ch = this.buffer[--i];
                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
                    nl = i;
                else
                    break;
            } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
    }
    *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while ((ch = this.buffer[++i])) {
            if (ch === ':') {
                const next = this.buffer[i + 1];
                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
                    break;
                end = i;
            }
            else if (isEmpty(ch)) {
                let next = this.buffer[i + 1];
                if (ch === '\r') {
                    if (next === '\n') {
                        i += 1;
                        ch = '\n';
                        next = this.buffer[i + 1];
                    }
                    else
                        end = i;
                }
                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
                    break;
                if (ch === '\n') {
                    const cs = this.continueScalar(i + 1);
                    if (cs === -1)
                        break;
                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
                }
            }
            else {
                if (inFlow && flowIndicatorChars.has(ch))
                    break;
                end = i;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('plain-scalar');
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? 'flow' : 'doc';
    }
    *pushCount(n) {
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos += n;
            return n;
        }
        return 0;
    }
    *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
            yield s;
            this.pos += s.length;
            return s.length;
        }
        else if (allowEmpty)
            yield '';
        return 0;
    }
    *pushIndicators() {
        let n = 0;
        loop: while (true) {
            switch (this.charAt(0)) {
                case '!':
                    n += yield* this.pushTag();
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '&':
                    n += yield* this.pushUntil(isNotAnchorChar);
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '-': // this is an error
                case '?': // this is an error outside flow collections
                case ':': {
                    const inFlow = this.flowLevel > 0;
                    const ch1 = this.charAt(1);
                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
                        if (!inFlow)
                            this.indentNext = this.indentValue + 1;
                        else if (this.flowKey)
                            this.flowKey = false;
                        n += yield* this.pushCount(1);
                        n += yield* this.pushSpaces(true);
                        continue loop;
                    }
                }
            }
            break loop;
        }
        return n;
    }
    *pushTag() {
        if (this.charAt(1) === '<') {
            let i = this.pos + 2;
            let ch = this.buffer[i];
            while (!isEmpty(ch) && ch !== '>')
                ch = this.buffer[++i];
            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
        }
        else {
            let i = this.pos + 1;
            let ch = this.buffer[i];
            while (ch) {
                if (tagChars.has(ch))
                    ch = this.buffer[++i];
                else if (ch === '%' &&
                    hexDigits.has(this.buffer[i + 1]) &&
                    hexDigits.has(this.buffer[i + 2])) {
                    ch = this.buffer[(i += 3)];
                }
                else
                    break;
            }
            return yield* this.pushToIndex(i, false);
        }
    }
    *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === '\n')
            return yield* this.pushCount(1);
        else if (ch === '\r' && this.charAt(1) === '\n')
            return yield* this.pushCount(2);
        else
            return 0;
    }
    *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
            ch = this.buffer[++i];
        } while (ch === ' ' || (allowTabs && ch === '\t'));
        const n = i - this.pos;
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos = i;
        }
        return n;
    }
    *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
            ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
    }
}

exports.Lexer = Lexer;


/***/ }),

/***/ 6628:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Tracks newlines during parsing in order to provide an efficient API for
 * determining the one-indexed `{ line, col }` position for any offset
 * within the input.
 */
class LineCounter {
    constructor() {
        this.lineStarts = [];
        /**
         * Should be called in ascending order. Otherwise, call
         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
         */
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        /**
         * Performs a binary search and returns the 1-indexed { line, col }
         * position of `offset`. If `line === 0`, `addNewLine` has never been
         * called or `offset` is before the first known newline.
         */
        this.linePos = (offset) => {
            let low = 0;
            let high = this.lineStarts.length;
            while (low < high) {
                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
                if (this.lineStarts[mid] < offset)
                    low = mid + 1;
                else
                    high = mid;
            }
            if (this.lineStarts[low] === offset)
                return { line: low + 1, col: 1 };
            if (low === 0)
                return { line: 0, col: offset };
            const start = this.lineStarts[low - 1];
            return { line: low, col: offset - start + 1 };
        };
    }
}

exports.LineCounter = LineCounter;


/***/ }),

/***/ 3456:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);

function includesToken(list, type) {
    for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
            return true;
    return false;
}
function findNonEmptyIndex(list) {
    for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
            case 'space':
            case 'comment':
            case 'newline':
                break;
            default:
                return i;
        }
    }
    return -1;
}
function isFlowToken(token) {
    switch (token?.type) {
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'flow-collection':
            return true;
        default:
            return false;
    }
}
function getPrevProps(parent) {
    switch (parent.type) {
        case 'document':
            return parent.start;
        case 'block-map': {
            const it = parent.items[parent.items.length - 1];
            return it.sep ?? it.start;
        }
        case 'block-seq':
            return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
            return [];
    }
}
/** Note: May modify input array */
function getFirstKeyStartProps(prev) {
    if (prev.length === 0)
        return [];
    let i = prev.length;
    loop: while (--i >= 0) {
        switch (prev[i].type) {
            case 'doc-start':
            case 'explicit-key-ind':
            case 'map-value-ind':
            case 'seq-item-ind':
            case 'newline':
                break loop;
        }
    }
    while (prev[++i]?.type === 'space') {
        /* loop */
    }
    return prev.splice(i, prev.length);
}
function arrayPushArray(target, source) {
    // May exhaust call stack with large `source` array
    if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
    else
        for (let i = 0; i < source.length; ++i)
            target.push(source[i]);
}
function fixFlowSeqItems(fc) {
    if (fc.start.type === 'flow-seq-start') {
        for (const it of fc.items) {
            if (it.sep &&
                !it.value &&
                !includesToken(it.start, 'explicit-key-ind') &&
                !includesToken(it.sep, 'map-value-ind')) {
                if (it.key)
                    it.value = it.key;
                delete it.key;
                if (isFlowToken(it.value)) {
                    if (it.value.end)
                        arrayPushArray(it.value.end, it.sep);
                    else
                        it.value.end = it.sep;
                }
                else
                    arrayPushArray(it.start, it.sep);
                delete it.sep;
            }
        }
    }
}
/**
 * A YAML concrete syntax tree (CST) parser
 *
 * ```ts
 * const src: string = ...
 * for (const token of new Parser().parse(src)) {
 *   // token: Token
 * }
 * ```
 *
 * To use the parser with a user-provided lexer:
 *
 * ```ts
 * function* parse(source: string, lexer: Lexer) {
 *   const parser = new Parser()
 *   for (const lexeme of lexer.lex(source))
 *     yield* parser.next(lexeme)
 *   yield* parser.end()
 * }
 *
 * const src: string = ...
 * const lexer = new Lexer()
 * for (const token of parse(src, lexer)) {
 *   // token: Token
 * }
 * ```
 */
class Parser {
    /**
     * @param onNewLine - If defined, called separately with the start position of
     *   each new line (in `parse()`, including the start of input).
     */
    constructor(onNewLine) {
        /** If true, space and sequence indicators count as indentation */
        this.atNewLine = true;
        /** If true, next token is a scalar value */
        this.atScalar = false;
        /** Current indentation level */
        this.indent = 0;
        /** Current offset since the start of parsing */
        this.offset = 0;
        /** On the same line with a block map key */
        this.onKeyLine = false;
        /** Top indicates the node that's currently being built */
        this.stack = [];
        /** The source of the current token, set in parse() */
        this.source = '';
        /** The type of the current token, set in parse() */
        this.type = '';
        // Must be defined after `next()`
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
    }
    /**
     * Parse `source` as a YAML stream.
     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
     *
     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
     *
     * @returns A generator of tokens representing each directive, document, and other structure.
     */
    *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
            this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
            yield* this.next(lexeme);
        if (!incomplete)
            yield* this.end();
    }
    /**
     * Advance the parser by the `source` of one lexical token.
     */
    *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
            console.log('|', cst.prettyToken(source));
        if (this.atScalar) {
            this.atScalar = false;
            yield* this.step();
            this.offset += source.length;
            return;
        }
        const type = cst.tokenType(source);
        if (!type) {
            const message = `Not a YAML token: ${source}`;
            yield* this.pop({ type: 'error', offset: this.offset, message, source });
            this.offset += source.length;
        }
        else if (type === 'scalar') {
            this.atNewLine = false;
            this.atScalar = true;
            this.type = 'scalar';
        }
        else {
            this.type = type;
            yield* this.step();
            switch (type) {
                case 'newline':
                    this.atNewLine = true;
                    this.indent = 0;
                    if (this.onNewLine)
                        this.onNewLine(this.offset + source.length);
                    break;
                case 'space':
                    if (this.atNewLine && source[0] === ' ')
                        this.indent += source.length;
                    break;
                case 'explicit-key-ind':
                case 'map-value-ind':
                case 'seq-item-ind':
                    if (this.atNewLine)
                        this.indent += source.length;
                    break;
                case 'doc-mode':
                case 'flow-error-end':
                    return;
                default:
                    this.atNewLine = false;
            }
            this.offset += source.length;
        }
    }
    /** Call at end of input to push out any remaining constructions */
    *end() {
        while (this.stack.length > 0)
            yield* this.pop();
    }
    get sourceToken() {
        const st = {
            type: this.type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
        return st;
    }
    *step() {
        const top = this.peek(1);
        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
            while (this.stack.length > 0)
                yield* this.pop();
            this.stack.push({
                type: 'doc-end',
                offset: this.offset,
                source: this.source
            });
            return;
        }
        if (!top)
            return yield* this.stream();
        switch (top.type) {
            case 'document':
                return yield* this.document(top);
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return yield* this.scalar(top);
            case 'block-scalar':
                return yield* this.blockScalar(top);
            case 'block-map':
                return yield* this.blockMap(top);
            case 'block-seq':
                return yield* this.blockSequence(top);
            case 'flow-collection':
                return yield* this.flowCollection(top);
            case 'doc-end':
                return yield* this.documentEnd(top);
        }
        /* istanbul ignore next should not happen */
        yield* this.pop();
    }
    peek(n) {
        return this.stack[this.stack.length - n];
    }
    *pop(error) {
        const token = error ?? this.stack.pop();
        /* istanbul ignore if should not happen */
        if (!token) {
            const message = 'Tried to pop an empty stack';
            yield { type: 'error', offset: this.offset, source: '', message };
        }
        else if (this.stack.length === 0) {
            yield token;
        }
        else {
            const top = this.peek(1);
            if (token.type === 'block-scalar') {
                // Block scalars use their parent rather than header indent
                token.indent = 'indent' in top ? top.indent : 0;
            }
            else if (token.type === 'flow-collection' && top.type === 'document') {
                // Ignore all indent for top-level flow collections
                token.indent = 0;
            }
            if (token.type === 'flow-collection')
                fixFlowSeqItems(token);
            switch (top.type) {
                case 'document':
                    top.value = token;
                    break;
                case 'block-scalar':
                    top.props.push(token); // error
                    break;
                case 'block-map': {
                    const it = top.items[top.items.length - 1];
                    if (it.value) {
                        top.items.push({ start: [], key: token, sep: [] });
                        this.onKeyLine = true;
                        return;
                    }
                    else if (it.sep) {
                        it.value = token;
                    }
                    else {
                        Object.assign(it, { key: token, sep: [] });
                        this.onKeyLine = !it.explicitKey;
                        return;
                    }
                    break;
                }
                case 'block-seq': {
                    const it = top.items[top.items.length - 1];
                    if (it.value)
                        top.items.push({ start: [], value: token });
                    else
                        it.value = token;
                    break;
                }
                case 'flow-collection': {
                    const it = top.items[top.items.length - 1];
                    if (!it || it.value)
                        top.items.push({ start: [], key: token, sep: [] });
                    else if (it.sep)
                        it.value = token;
                    else
                        Object.assign(it, { key: token, sep: [] });
                    return;
                }
                /* istanbul ignore next should not happen */
                default:
                    yield* this.pop();
                    yield* this.pop(token);
            }
            if ((top.type === 'document' ||
                top.type === 'block-map' ||
                top.type === 'block-seq') &&
                (token.type === 'block-map' || token.type === 'block-seq')) {
                const last = token.items[token.items.length - 1];
                if (last &&
                    !last.sep &&
                    !last.value &&
                    last.start.length > 0 &&
                    findNonEmptyIndex(last.start) === -1 &&
                    (token.indent === 0 ||
                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
                    if (top.type === 'document')
                        top.end = last.start;
                    else
                        top.items.push({ start: last.start });
                    token.items.splice(-1, 1);
                }
            }
        }
    }
    *stream() {
        switch (this.type) {
            case 'directive-line':
                yield { type: 'directive', offset: this.offset, source: this.source };
                return;
            case 'byte-order-mark':
            case 'space':
            case 'comment':
            case 'newline':
                yield this.sourceToken;
                return;
            case 'doc-mode':
            case 'doc-start': {
                const doc = {
                    type: 'document',
                    offset: this.offset,
                    start: []
                };
                if (this.type === 'doc-start')
                    doc.start.push(this.sourceToken);
                this.stack.push(doc);
                return;
            }
        }
        yield {
            type: 'error',
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML stream`,
            source: this.source
        };
    }
    *document(doc) {
        if (doc.value)
            return yield* this.lineEnd(doc);
        switch (this.type) {
            case 'doc-start': {
                if (findNonEmptyIndex(doc.start) !== -1) {
                    yield* this.pop();
                    yield* this.step();
                }
                else
                    doc.start.push(this.sourceToken);
                return;
            }
            case 'anchor':
            case 'tag':
            case 'space':
            case 'comment':
            case 'newline':
                doc.start.push(this.sourceToken);
                return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
            this.stack.push(bv);
        else {
            yield {
                type: 'error',
                offset: this.offset,
                message: `Unexpected ${this.type} token in YAML document`,
                source: this.source
            };
        }
    }
    *scalar(scalar) {
        if (this.type === 'map-value-ind') {
            const prev = getPrevProps(this.peek(2));
            const start = getFirstKeyStartProps(prev);
            let sep;
            if (scalar.end) {
                sep = scalar.end;
                sep.push(this.sourceToken);
                delete scalar.end;
            }
            else
                sep = [this.sourceToken];
            const map = {
                type: 'block-map',
                offset: scalar.offset,
                indent: scalar.indent,
                items: [{ start, key: scalar, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
        }
        else
            yield* this.lineEnd(scalar);
    }
    *blockScalar(scalar) {
        switch (this.type) {
            case 'space':
            case 'comment':
            case 'newline':
                scalar.props.push(this.sourceToken);
                return;
            case 'scalar':
                scalar.source = this.source;
                // block-scalar source includes trailing newline
                this.atNewLine = true;
                this.indent = 0;
                if (this.onNewLine) {
                    let nl = this.source.indexOf('\n') + 1;
                    while (nl !== 0) {
                        this.onNewLine(this.offset + nl);
                        nl = this.source.indexOf('\n', nl) + 1;
                    }
                }
                yield* this.pop();
                break;
            /* istanbul ignore next should not happen */
            default:
                yield* this.pop();
                yield* this.step();
        }
    }
    *blockMap(map) {
        const it = map.items[map.items.length - 1];
        // it.sep is true-ish if pair already has key or : separator
        switch (this.type) {
            case 'newline':
                this.onKeyLine = false;
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    it.start.push(this.sourceToken);
                }
                return;
            case 'space':
            case 'comment':
                if (it.value) {
                    map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    if (this.atIndentedComment(it.start, map.indent)) {
                        const prev = map.items[map.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            map.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
        }
        if (this.indent >= map.indent) {
            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
            const atNextItem = atMapIndent &&
                (it.sep || it.explicitKey) &&
                this.type !== 'seq-item-ind';
            // For empty nodes, assign newline-separated not indented empty tokens to following node
            let start = [];
            if (atNextItem && it.sep && !it.value) {
                const nl = [];
                for (let i = 0; i < it.sep.length; ++i) {
                    const st = it.sep[i];
                    switch (st.type) {
                        case 'newline':
                            nl.push(i);
                            break;
                        case 'space':
                            break;
                        case 'comment':
                            if (st.indent > map.indent)
                                nl.length = 0;
                            break;
                        default:
                            nl.length = 0;
                    }
                }
                if (nl.length >= 2)
                    start = it.sep.splice(nl[1]);
            }
            switch (this.type) {
                case 'anchor':
                case 'tag':
                    if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        it.sep.push(this.sourceToken);
                    }
                    else {
                        it.start.push(this.sourceToken);
                    }
                    return;
                case 'explicit-key-ind':
                    if (!it.sep && !it.explicitKey) {
                        it.start.push(this.sourceToken);
                        it.explicitKey = true;
                    }
                    else if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start, explicitKey: true });
                    }
                    else {
                        this.stack.push({
                            type: 'block-map',
                            offset: this.offset,
                            indent: this.indent,
                            items: [{ start: [this.sourceToken], explicitKey: true }]
                        });
                    }
                    this.onKeyLine = true;
                    return;
                case 'map-value-ind':
                    if (it.explicitKey) {
                        if (!it.sep) {
                            if (includesToken(it.start, 'newline')) {
                                Object.assign(it, { key: null, sep: [this.sourceToken] });
                            }
                            else {
                                const start = getFirstKeyStartProps(it.start);
                                this.stack.push({
                                    type: 'block-map',
                                    offset: this.offset,
                                    indent: this.indent,
                                    items: [{ start, key: null, sep: [this.sourceToken] }]
                                });
                            }
                        }
                        else if (it.value) {
                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else if (isFlowToken(it.key) &&
                            !includesToken(it.sep, 'newline')) {
                            const start = getFirstKeyStartProps(it.start);
                            const key = it.key;
                            const sep = it.sep;
                            sep.push(this.sourceToken);
                            // @ts-expect-error type guard is wrong here
                            delete it.key;
                            // @ts-expect-error type guard is wrong here
                            delete it.sep;
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key, sep }]
                            });
                        }
                        else if (start.length > 0) {
                            // Not actually at next item
                            it.sep = it.sep.concat(start, this.sourceToken);
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    else {
                        if (!it.sep) {
                            Object.assign(it, { key: null, sep: [this.sourceToken] });
                        }
                        else if (it.value || atNextItem) {
                            map.items.push({ start, key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    this.onKeyLine = true;
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (atNextItem || it.value) {
                        map.items.push({ start, key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        this.stack.push(fs);
                    }
                    else {
                        Object.assign(it, { key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    return;
                }
                default: {
                    const bv = this.startBlockValue(map);
                    if (bv) {
                        if (bv.type === 'block-seq') {
                            if (!it.explicitKey &&
                                it.sep &&
                                !includesToken(it.sep, 'newline')) {
                                yield* this.pop({
                                    type: 'error',
                                    offset: this.offset,
                                    message: 'Unexpected block-seq-ind on same line with key',
                                    source: this.source
                                });
                                return;
                            }
                        }
                        else if (atMapIndent) {
                            map.items.push({ start });
                        }
                        this.stack.push(bv);
                        return;
                    }
                }
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
            case 'newline':
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        seq.items.push({ start: [this.sourceToken] });
                }
                else
                    it.start.push(this.sourceToken);
                return;
            case 'space':
            case 'comment':
                if (it.value)
                    seq.items.push({ start: [this.sourceToken] });
                else {
                    if (this.atIndentedComment(it.start, seq.indent)) {
                        const prev = seq.items[seq.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            seq.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
            case 'anchor':
            case 'tag':
                if (it.value || this.indent <= seq.indent)
                    break;
                it.start.push(this.sourceToken);
                return;
            case 'seq-item-ind':
                if (this.indent !== seq.indent)
                    break;
                if (it.value || includesToken(it.start, 'seq-item-ind'))
                    seq.items.push({ start: [this.sourceToken] });
                else
                    it.start.push(this.sourceToken);
                return;
        }
        if (this.indent > seq.indent) {
            const bv = this.startBlockValue(seq);
            if (bv) {
                this.stack.push(bv);
                return;
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === 'flow-error-end') {
            let top;
            do {
                yield* this.pop();
                top = this.peek(1);
            } while (top?.type === 'flow-collection');
        }
        else if (fc.end.length === 0) {
            switch (this.type) {
                case 'comma':
                case 'explicit-key-ind':
                    if (!it || it.sep)
                        fc.items.push({ start: [this.sourceToken] });
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'map-value-ind':
                    if (!it || it.value)
                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        Object.assign(it, { key: null, sep: [this.sourceToken] });
                    return;
                case 'space':
                case 'comment':
                case 'newline':
                case 'anchor':
                case 'tag':
                    if (!it || it.value)
                        fc.items.push({ start: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (!it || it.value)
                        fc.items.push({ start: [], key: fs, sep: [] });
                    else if (it.sep)
                        this.stack.push(fs);
                    else
                        Object.assign(it, { key: fs, sep: [] });
                    return;
                }
                case 'flow-map-end':
                case 'flow-seq-end':
                    fc.end.push(this.sourceToken);
                    return;
            }
            const bv = this.startBlockValue(fc);
            /* istanbul ignore else should not happen */
            if (bv)
                this.stack.push(bv);
            else {
                yield* this.pop();
                yield* this.step();
            }
        }
        else {
            const parent = this.peek(2);
            if (parent.type === 'block-map' &&
                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
                    (this.type === 'newline' &&
                        !parent.items[parent.items.length - 1].sep))) {
                yield* this.pop();
                yield* this.step();
            }
            else if (this.type === 'map-value-ind' &&
                parent.type !== 'flow-collection') {
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                fixFlowSeqItems(fc);
                const sep = fc.end.splice(1, fc.end.length);
                sep.push(this.sourceToken);
                const map = {
                    type: 'block-map',
                    offset: fc.offset,
                    indent: fc.indent,
                    items: [{ start, key: fc, sep }]
                };
                this.onKeyLine = true;
                this.stack[this.stack.length - 1] = map;
            }
            else {
                yield* this.lineEnd(fc);
            }
        }
    }
    flowScalar(type) {
        if (this.onNewLine) {
            let nl = this.source.indexOf('\n') + 1;
            while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf('\n', nl) + 1;
            }
        }
        return {
            type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
    }
    startBlockValue(parent) {
        switch (this.type) {
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return this.flowScalar(this.type);
            case 'block-scalar-header':
                return {
                    type: 'block-scalar',
                    offset: this.offset,
                    indent: this.indent,
                    props: [this.sourceToken],
                    source: ''
                };
            case 'flow-map-start':
            case 'flow-seq-start':
                return {
                    type: 'flow-collection',
                    offset: this.offset,
                    indent: this.indent,
                    start: this.sourceToken,
                    items: [],
                    end: []
                };
            case 'seq-item-ind':
                return {
                    type: 'block-seq',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [this.sourceToken] }]
                };
            case 'explicit-key-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                start.push(this.sourceToken);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, explicitKey: true }]
                };
            }
            case 'map-value-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                };
            }
        }
        return null;
    }
    atIndentedComment(start, indent) {
        if (this.type !== 'comment')
            return false;
        if (this.indent <= indent)
            return false;
        return start.every(st => st.type === 'newline' || st.type === 'space');
    }
    *documentEnd(docEnd) {
        if (this.type !== 'doc-mode') {
            if (docEnd.end)
                docEnd.end.push(this.sourceToken);
            else
                docEnd.end = [this.sourceToken];
            if (this.type === 'newline')
                yield* this.pop();
        }
    }
    *lineEnd(token) {
        switch (this.type) {
            case 'comma':
            case 'doc-start':
            case 'doc-end':
            case 'flow-seq-end':
            case 'flow-map-end':
            case 'map-value-ind':
                yield* this.pop();
                yield* this.step();
                break;
            case 'newline':
                this.onKeyLine = false;
            // fallthrough
            case 'space':
            case 'comment':
            default:
                // all other values are errors
                if (token.end)
                    token.end.push(this.sourceToken);
                else
                    token.end = [this.sourceToken];
                if (this.type === 'newline')
                    yield* this.pop();
        }
    }
}

exports.Parser = Parser;


/***/ }),

/***/ 4047:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var log = __nccwpck_require__(7249);
var identity = __nccwpck_require__(1127);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);

function parseOptions(options) {
    const prettyErrors = options.prettyErrors !== false;
    const lineCounter$1 = options.lineCounter || (prettyErrors && new lineCounter.LineCounter()) || null;
    return { lineCounter: lineCounter$1, prettyErrors };
}
/**
 * Parse the input as a stream of YAML documents.
 *
 * Documents should be separated from each other by `...` or `---` marker lines.
 *
 * @returns If an empty `docs` array is returned, it will be of type
 *   EmptyStream and contain additional stream information. In
 *   TypeScript, you should use `'empty' in docs` as a type guard for it.
 */
function parseAllDocuments(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    const docs = Array.from(composer$1.compose(parser$1.parse(source)));
    if (prettyErrors && lineCounter)
        for (const doc of docs) {
            doc.errors.forEach(errors.prettifyError(source, lineCounter));
            doc.warnings.forEach(errors.prettifyError(source, lineCounter));
        }
    if (docs.length > 0)
        return docs;
    return Object.assign([], { empty: true }, composer$1.streamInfo());
}
/** Parse an input string into a single YAML.Document */
function parseDocument(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    // `doc` is always set by compose.end(true) at the very latest
    let doc = null;
    for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
            doc = _doc;
        else if (doc.options.logLevel !== 'silent') {
            doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
            break;
        }
    }
    if (prettyErrors && lineCounter) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter));
    }
    return doc;
}
function parse(src, reviver, options) {
    let _reviver = undefined;
    if (typeof reviver === 'function') {
        _reviver = reviver;
    }
    else if (options === undefined && reviver && typeof reviver === 'object') {
        options = reviver;
    }
    const doc = parseDocument(src, options);
    if (!doc)
        return null;
    doc.warnings.forEach(warning => log.warn(doc.options.logLevel, warning));
    if (doc.errors.length > 0) {
        if (doc.options.logLevel !== 'silent')
            throw doc.errors[0];
        else
            doc.errors = [];
    }
    return doc.toJS(Object.assign({ reviver: _reviver }, options));
}
function stringify(value, replacer, options) {
    let _replacer = null;
    if (typeof replacer === 'function' || Array.isArray(replacer)) {
        _replacer = replacer;
    }
    else if (options === undefined && replacer) {
        options = replacer;
    }
    if (typeof options === 'string')
        options = options.length;
    if (typeof options === 'number') {
        const indent = Math.round(options);
        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
    }
    if (value === undefined) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
            return undefined;
    }
    if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
    return new Document.Document(value, _replacer, options).toString(options);
}

exports.parse = parse;
exports.parseAllDocuments = parseAllDocuments;
exports.parseDocument = parseDocument;
exports.stringify = stringify;


/***/ }),

/***/ 5840:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var tags = __nccwpck_require__(18);

const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
class Schema {
    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat)
            ? tags.getTags(compat, 'compat')
            : compat
                ? tags.getTags(null, compat)
                : null;
        this.name = (typeof schema === 'string' && schema) || 'core';
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        // Used by createMap()
        this.sortMapEntries =
            typeof sortMapEntries === 'function'
                ? sortMapEntries
                : sortMapEntries === true
                    ? sortMapEntriesByKey
                    : null;
    }
    clone() {
        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
    }
}

exports.Schema = Schema;


/***/ }),

/***/ 7451:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLMap = __nccwpck_require__(4454);

const map = {
    collection: 'map',
    default: true,
    nodeClass: YAMLMap.YAMLMap,
    tag: 'tag:yaml.org,2002:map',
    resolve(map, onError) {
        if (!identity.isMap(map))
            onError('Expected a mapping for this tag');
        return map;
    },
    createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
};

exports.map = map;


/***/ }),

/***/ 3632:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const nullTag = {
    identify: value => value == null,
    createNode: () => new Scalar.Scalar(null),
    default: true,
    tag: 'tag:yaml.org,2002:null',
    test: /^(?:~|[Nn]ull|NULL)?$/,
    resolve: () => new Scalar.Scalar(null),
    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
        ? source
        : ctx.options.nullStr
};

exports.nullTag = nullTag;


/***/ }),

/***/ 1706:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLSeq = __nccwpck_require__(2223);

const seq = {
    collection: 'seq',
    default: true,
    nodeClass: YAMLSeq.YAMLSeq,
    tag: 'tag:yaml.org,2002:seq',
    resolve(seq, onError) {
        if (!identity.isSeq(seq))
            onError('Expected a sequence for this tag');
        return seq;
    },
    createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
};

exports.seq = seq;


/***/ }),

/***/ 6464:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyString = __nccwpck_require__(3069);

const string = {
    identify: value => typeof value === 'string',
    default: true,
    tag: 'tag:yaml.org,2002:str',
    resolve: str => str,
    stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
    }
};

exports.string = string;


/***/ }),

/***/ 3959:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const boolTag = {
    identify: value => typeof value === 'boolean',
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: str => new Scalar.Scalar(str[0] === 't' || str[0] === 'T'),
    stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
            const sv = source[0] === 't' || source[0] === 'T';
            if (value === sv)
                return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
};

exports.boolTag = boolTag;


/***/ }),

/***/ 8405:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: str => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    resolve: str => parseFloat(str),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str));
        const dot = str.indexOf('.');
        if (dot !== -1 && str[str.length - 1] === '0')
            node.minFractionDigits = str.length - dot - 1;
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 9874:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
const intResolve = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
    return stringifyNumber.stringifyNumber(node);
}
const intOct = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^0o[0-7]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
    stringify: node => intStringify(node, 8, '0o')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 896:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.boolTag,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float
];

exports.schema = schema;


/***/ }),

/***/ 3559:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);

function intIdentify(value) {
    return typeof value === 'bigint' || Number.isInteger(value);
}
const stringifyJSON = ({ value }) => JSON.stringify(value);
const jsonScalars = [
    {
        identify: value => typeof value === 'string',
        default: true,
        tag: 'tag:yaml.org,2002:str',
        resolve: str => str,
        stringify: stringifyJSON
    },
    {
        identify: value => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: 'tag:yaml.org,2002:null',
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
    },
    {
        identify: value => typeof value === 'boolean',
        default: true,
        tag: 'tag:yaml.org,2002:bool',
        test: /^true$|^false$/,
        resolve: str => str === 'true',
        stringify: stringifyJSON
    },
    {
        identify: intIdentify,
        default: true,
        tag: 'tag:yaml.org,2002:int',
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
    },
    {
        identify: value => typeof value === 'number',
        default: true,
        tag: 'tag:yaml.org,2002:float',
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: str => parseFloat(str),
        stringify: stringifyJSON
    }
];
const jsonError = {
    default: true,
    tag: '',
    test: /^/,
    resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
    }
};
const schema = [map.map, seq.seq].concat(jsonScalars, jsonError);

exports.schema = schema;


/***/ }),

/***/ 18:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);
var schema = __nccwpck_require__(896);
var schema$1 = __nccwpck_require__(3559);
var binary = __nccwpck_require__(6083);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var schema$2 = __nccwpck_require__(5913);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schemas = new Map([
    ['core', schema.schema],
    ['failsafe', [map.map, seq.seq, string.string]],
    ['json', schema$1.schema],
    ['yaml11', schema$2.schema],
    ['yaml-1.1', schema$2.schema]
]);
const tagsByName = {
    binary: binary.binary,
    bool: bool.boolTag,
    float: float.float,
    floatExp: float.floatExp,
    floatNaN: float.floatNaN,
    floatTime: timestamp.floatTime,
    int: int.int,
    intHex: int.intHex,
    intOct: int.intOct,
    intTime: timestamp.intTime,
    map: map.map,
    merge: merge.merge,
    null: _null.nullTag,
    omap: omap.omap,
    pairs: pairs.pairs,
    seq: seq.seq,
    set: set.set,
    timestamp: timestamp.timestamp
};
const coreKnownTags = {
    'tag:yaml.org,2002:binary': binary.binary,
    'tag:yaml.org,2002:merge': merge.merge,
    'tag:yaml.org,2002:omap': omap.omap,
    'tag:yaml.org,2002:pairs': pairs.pairs,
    'tag:yaml.org,2002:set': set.set,
    'tag:yaml.org,2002:timestamp': timestamp.timestamp
};
function getTags(customTags, schemaName, addMergeTag) {
    const schemaTags = schemas.get(schemaName);
    if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge)
            ? schemaTags.concat(merge.merge)
            : schemaTags.slice();
    }
    let tags = schemaTags;
    if (!tags) {
        if (Array.isArray(customTags))
            tags = [];
        else {
            const keys = Array.from(schemas.keys())
                .filter(key => key !== 'yaml11')
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
    }
    if (Array.isArray(customTags)) {
        for (const tag of customTags)
            tags = tags.concat(tag);
    }
    else if (typeof customTags === 'function') {
        tags = customTags(tags.slice());
    }
    if (addMergeTag)
        tags = tags.concat(merge.merge);
    return tags.reduce((tags, tag) => {
        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
        if (!tagObj) {
            const tagName = JSON.stringify(tag);
            const keys = Object.keys(tagsByName)
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags.includes(tagObj))
            tags.push(tagObj);
        return tags;
    }, []);
}

exports.coreKnownTags = coreKnownTags;
exports.getTags = getTags;


/***/ }),

/***/ 6083:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_buffer = __nccwpck_require__(181);
var Scalar = __nccwpck_require__(3301);
var stringifyString = __nccwpck_require__(3069);

const binary = {
    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
    default: false,
    tag: 'tag:yaml.org,2002:binary',
    /**
     * Returns a Buffer in node and an Uint8Array in browsers
     *
     * To use the resulting buffer as an image, you'll want to do something like:
     *
     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
     */
    resolve(src, onError) {
        if (typeof node_buffer.Buffer === 'function') {
            return node_buffer.Buffer.from(src, 'base64');
        }
        else if (typeof atob === 'function') {
            // On IE 11, atob() can't handle newlines
            const str = atob(src.replace(/[\n\r]/g, ''));
            const buffer = new Uint8Array(str.length);
            for (let i = 0; i < str.length; ++i)
                buffer[i] = str.charCodeAt(i);
            return buffer;
        }
        else {
            onError('This environment does not support reading binary tags; either Buffer or atob is required');
            return src;
        }
    },
    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
            return '';
        const buf = value; // checked earlier by binary.identify()
        let str;
        if (typeof node_buffer.Buffer === 'function') {
            str =
                buf instanceof node_buffer.Buffer
                    ? buf.toString('base64')
                    : node_buffer.Buffer.from(buf.buffer).toString('base64');
        }
        else if (typeof btoa === 'function') {
            let s = '';
            for (let i = 0; i < buf.length; ++i)
                s += String.fromCharCode(buf[i]);
            str = btoa(s);
        }
        else {
            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
            const n = Math.ceil(str.length / lineWidth);
            const lines = new Array(n);
            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
                lines[i] = str.substr(o, lineWidth);
            }
            str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? '\n' : ' ');
        }
        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
    }
};

exports.binary = binary;


/***/ }),

/***/ 8398:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function boolStringify({ value, source }, ctx) {
    const boolObj = value ? trueTag : falseTag;
    if (source && boolObj.test.test(source))
        return source;
    return value ? ctx.options.trueStr : ctx.options.falseStr;
}
const trueTag = {
    identify: value => value === true,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => new Scalar.Scalar(true),
    stringify: boolStringify
};
const falseTag = {
    identify: value => value === false,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => new Scalar.Scalar(false),
    stringify: boolStringify
};

exports.falseTag = falseTag;
exports.trueTag = trueTag;


/***/ }),

/***/ 5782:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    resolve: (str) => parseFloat(str.replace(/_/g, '')),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, '')));
        const dot = str.indexOf('.');
        if (dot !== -1) {
            const f = str.substring(dot + 1).replace(/_/g, '');
            if (f[f.length - 1] === '0')
                node.minFractionDigits = f.length;
        }
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
function intResolve(str, offset, radix, { intAsBigInt }) {
    const sign = str[0];
    if (sign === '-' || sign === '+')
        offset += 1;
    str = str.substring(offset).replace(/_/g, '');
    if (intAsBigInt) {
        switch (radix) {
            case 2:
                str = `0b${str}`;
                break;
            case 8:
                str = `0o${str}`;
                break;
            case 16:
                str = `0x${str}`;
                break;
        }
        const n = BigInt(str);
        return sign === '-' ? BigInt(-1) * n : n;
    }
    const n = parseInt(str, radix);
    return sign === '-' ? -1 * n : n;
}
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
    }
    return stringifyNumber.stringifyNumber(node);
}
const intBin = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'BIN',
    test: /^[-+]?0b[0-1_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
    stringify: node => intStringify(node, 2, '0b')
};
const intOct = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^[-+]?0[0-7_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
    stringify: node => intStringify(node, 8, '0')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9][0-9_]*$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^[-+]?0x[0-9a-fA-F_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intBin = intBin;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 452:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

// If the value associated with a merge key is a single mapping node, each of
// its key/value pairs is inserted into the current mapping, unless the key
// already exists in it. If the value associated with the merge key is a
// sequence, then this sequence is expected to contain mapping nodes and each
// of these nodes is merged in turn according to its order in the sequence.
// Keys in mapping nodes earlier in the sequence override keys specified in
// later mapping nodes. -- http://yaml.org/type/merge.html
const MERGE_KEY = '<<';
const merge = {
    identify: value => value === MERGE_KEY ||
        (typeof value === 'symbol' && value.description === MERGE_KEY),
    default: 'key',
    tag: 'tag:yaml.org,2002:merge',
    test: /^<<$/,
    resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
    }),
    stringify: () => MERGE_KEY
};
const isMergeKey = (ctx, key) => (merge.identify(key) ||
    (identity.isScalar(key) &&
        (!key.type || key.type === Scalar.Scalar.PLAIN) &&
        merge.identify(key.value))) &&
    ctx?.doc.schema.tags.some(tag => tag.tag === merge.tag && tag.default);
function addMergeToJSMap(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (identity.isSeq(source))
        for (const it of source.items)
            mergeValue(ctx, map, it);
    else if (Array.isArray(source))
        for (const it of source)
            mergeValue(ctx, map, it);
    else
        mergeValue(ctx, map, source);
}
function mergeValue(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (!identity.isMap(source))
        throw new Error('Merge sources must be maps or map aliases');
    const srcMap = source.toJSON(null, ctx, Map);
    for (const [key, value] of srcMap) {
        if (map instanceof Map) {
            if (!map.has(key))
                map.set(key, value);
        }
        else if (map instanceof Set) {
            map.add(key);
        }
        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
            Object.defineProperty(map, key, {
                value,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
    }
    return map;
}
function resolveAliasValue(ctx, value) {
    return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
}

exports.addMergeToJSMap = addMergeToJSMap;
exports.isMergeKey = isMergeKey;
exports.merge = merge;


/***/ }),

/***/ 303:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var pairs = __nccwpck_require__(8385);

class YAMLOMap extends YAMLSeq.YAMLSeq {
    constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = YAMLOMap.tag;
    }
    /**
     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
     * but TypeScript won't allow widening the signature of a child method.
     */
    toJSON(_, ctx) {
        if (!ctx)
            return super.toJSON(_);
        const map = new Map();
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const pair of this.items) {
            let key, value;
            if (identity.isPair(pair)) {
                key = toJS.toJS(pair.key, '', ctx);
                value = toJS.toJS(pair.value, key, ctx);
            }
            else {
                key = toJS.toJS(pair, '', ctx);
            }
            if (map.has(key))
                throw new Error('Ordered maps must not include duplicate keys');
            map.set(key, value);
        }
        return map;
    }
    static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap = new this();
        omap.items = pairs$1.items;
        return omap;
    }
}
YAMLOMap.tag = 'tag:yaml.org,2002:omap';
const omap = {
    collection: 'seq',
    identify: value => value instanceof Map,
    nodeClass: YAMLOMap,
    default: false,
    tag: 'tag:yaml.org,2002:omap',
    resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
            if (identity.isScalar(key)) {
                if (seenKeys.includes(key.value)) {
                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
                }
                else {
                    seenKeys.push(key.value);
                }
            }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
    },
    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
};

exports.YAMLOMap = YAMLOMap;
exports.omap = omap;


/***/ }),

/***/ 8385:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLSeq = __nccwpck_require__(2223);

function resolvePairs(seq, onError) {
    if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
            let item = seq.items[i];
            if (identity.isPair(item))
                continue;
            else if (identity.isMap(item)) {
                if (item.items.length > 1)
                    onError('Each pair must have its own sequence indicator');
                const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
                if (item.commentBefore)
                    pair.key.commentBefore = pair.key.commentBefore
                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
                        : item.commentBefore;
                if (item.comment) {
                    const cn = pair.value ?? pair.key;
                    cn.comment = cn.comment
                        ? `${item.comment}\n${cn.comment}`
                        : item.comment;
                }
                item = pair;
            }
            seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
    }
    else
        onError('Expected a sequence for this tag');
    return seq;
}
function createPairs(schema, iterable, ctx) {
    const { replacer } = ctx;
    const pairs = new YAMLSeq.YAMLSeq(schema);
    pairs.tag = 'tag:yaml.org,2002:pairs';
    let i = 0;
    if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
            if (typeof replacer === 'function')
                it = replacer.call(iterable, String(i++), it);
            let key, value;
            if (Array.isArray(it)) {
                if (it.length === 2) {
                    key = it[0];
                    value = it[1];
                }
                else
                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
            }
            else if (it && it instanceof Object) {
                const keys = Object.keys(it);
                if (keys.length === 1) {
                    key = keys[0];
                    value = it[key];
                }
                else {
                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
                }
            }
            else {
                key = it;
            }
            pairs.items.push(Pair.createPair(key, value, ctx));
        }
    return pairs;
}
const pairs = {
    collection: 'seq',
    default: false,
    tag: 'tag:yaml.org,2002:pairs',
    resolve: resolvePairs,
    createNode: createPairs
};

exports.createPairs = createPairs;
exports.pairs = pairs;
exports.resolvePairs = resolvePairs;


/***/ }),

/***/ 5913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var binary = __nccwpck_require__(6083);
var bool = __nccwpck_require__(8398);
var float = __nccwpck_require__(5782);
var int = __nccwpck_require__(873);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.trueTag,
    bool.falseTag,
    int.intBin,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float,
    binary.binary,
    merge.merge,
    omap.omap,
    pairs.pairs,
    set.set,
    timestamp.intTime,
    timestamp.floatTime,
    timestamp.timestamp
];

exports.schema = schema;


/***/ }),

/***/ 1528:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);

class YAMLSet extends YAMLMap.YAMLMap {
    constructor(schema) {
        super(schema);
        this.tag = YAMLSet.tag;
    }
    add(key) {
        let pair;
        if (identity.isPair(key))
            pair = key;
        else if (key &&
            typeof key === 'object' &&
            'key' in key &&
            'value' in key &&
            key.value === null)
            pair = new Pair.Pair(key.key, null);
        else
            pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
            this.items.push(pair);
    }
    /**
     * If `keepPair` is `true`, returns the Pair matching `key`.
     * Otherwise, returns the value of that Pair's key.
     */
    get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair)
            ? identity.isScalar(pair.key)
                ? pair.key.value
                : pair.key
            : pair;
    }
    set(key, value) {
        if (typeof value !== 'boolean')
            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
            this.items.splice(this.items.indexOf(prev), 1);
        }
        else if (!prev && value) {
            this.items.push(new Pair.Pair(key));
        }
    }
    toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        if (this.hasAllNullValues(true))
            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
            throw new Error('Set items must all have null values');
    }
    static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
            for (let value of iterable) {
                if (typeof replacer === 'function')
                    value = replacer.call(iterable, value, value);
                set.items.push(Pair.createPair(value, null, ctx));
            }
        return set;
    }
}
YAMLSet.tag = 'tag:yaml.org,2002:set';
const set = {
    collection: 'map',
    identify: value => value instanceof Set,
    nodeClass: YAMLSet,
    default: false,
    tag: 'tag:yaml.org,2002:set',
    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
    resolve(map, onError) {
        if (identity.isMap(map)) {
            if (map.hasAllNullValues(true))
                return Object.assign(new YAMLSet(), map);
            else
                onError('Set items must all have null values');
        }
        else
            onError('Expected a mapping for this tag');
        return map;
    }
};

exports.YAMLSet = YAMLSet;
exports.set = set;


/***/ }),

/***/ 6752:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

/** Internal types handle bigint as number, because TS can't figure it out. */
function parseSexagesimal(str, asBigInt) {
    const sign = str[0];
    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
    const num = (n) => asBigInt ? BigInt(n) : Number(n);
    const res = parts
        .replace(/_/g, '')
        .split(':')
        .reduce((res, p) => res * num(60) + num(p), num(0));
    return (sign === '-' ? num(-1) * res : res);
}
/**
 * hhhh:mm:ss.sss
 *
 * Internal types handle bigint as number, because TS can't figure it out.
 */
function stringifySexagesimal(node) {
    let { value } = node;
    let num = (n) => n;
    if (typeof value === 'bigint')
        num = n => BigInt(n);
    else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
    let sign = '';
    if (value < 0) {
        sign = '-';
        value *= num(-1);
    }
    const _60 = num(60);
    const parts = [value % _60]; // seconds, including ms
    if (value < 60) {
        parts.unshift(0); // at least one : is required
    }
    else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60); // minutes
        if (value >= 60) {
            value = (value - parts[0]) / _60;
            parts.unshift(value); // hours
        }
    }
    return (sign +
        parts
            .map(n => String(n).padStart(2, '0'))
            .join(':')
            .replace(/000000\d*$/, '') // % 60 may introduce error
    );
}
const intTime = {
    identify: value => typeof value === 'bigint' || Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
    stringify: stringifySexagesimal
};
const floatTime = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
    resolve: str => parseSexagesimal(str, false),
    stringify: stringifySexagesimal
};
const timestamp = {
    identify: value => value instanceof Date,
    default: true,
    tag: 'tag:yaml.org,2002:timestamp',
    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
    // may be omitted altogether, resulting in a date format. In such a case, the time part is
    // assumed to be 00:00:00Z (start of day, UTC).
    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
        '(?:' + // time is optional
        '(?:t|T|[ \\t]+)' + // t | T | whitespace
        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
        ')?$'),
    resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== 'Z') {
            let d = parseSexagesimal(tz, false);
            if (Math.abs(d) < 30)
                d *= 60;
            date -= 60000 * d;
        }
        return new Date(date);
    },
    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
};

exports.floatTime = floatTime;
exports.intTime = intTime;
exports.timestamp = timestamp;


/***/ }),

/***/ 4475:
/***/ ((__unused_webpack_module, exports) => {



const FOLD_FLOW = 'flow';
const FOLD_BLOCK = 'block';
const FOLD_QUOTED = 'quoted';
/**
 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
 * terminated with `\n` and started with `indent`.
 */
function foldFlowLines(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
    if (!lineWidth || lineWidth < 0)
        return text;
    if (lineWidth < minContentWidth)
        minContentWidth = 0;
    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
    if (text.length <= endStep)
        return text;
    const folds = [];
    const escapedFolds = {};
    let end = lineWidth - indent.length;
    if (typeof indentAtStart === 'number') {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
            folds.push(0);
        else
            end = lineWidth - indentAtStart;
    }
    let split = undefined;
    let prev = undefined;
    let overflow = false;
    let i = -1;
    let escStart = -1;
    let escEnd = -1;
    if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
            end = i + endStep;
    }
    for (let ch; (ch = text[(i += 1)]);) {
        if (mode === FOLD_QUOTED && ch === '\\') {
            escStart = i;
            switch (text[i + 1]) {
                case 'x':
                    i += 3;
                    break;
                case 'u':
                    i += 5;
                    break;
                case 'U':
                    i += 9;
                    break;
                default:
                    i += 1;
            }
            escEnd = i;
        }
        if (ch === '\n') {
            if (mode === FOLD_BLOCK)
                i = consumeMoreIndentedLines(text, i, indent.length);
            end = i + indent.length + endStep;
            split = undefined;
        }
        else {
            if (ch === ' ' &&
                prev &&
                prev !== ' ' &&
                prev !== '\n' &&
                prev !== '\t') {
                // space surrounded by non-space can be replaced with newline + indent
                const next = text[i + 1];
                if (next && next !== ' ' && next !== '\n' && next !== '\t')
                    split = i;
            }
            if (i >= end) {
                if (split) {
                    folds.push(split);
                    end = split + endStep;
                    split = undefined;
                }
                else if (mode === FOLD_QUOTED) {
                    // white-space collected at end may stretch past lineWidth
                    while (prev === ' ' || prev === '\t') {
                        prev = ch;
                        ch = text[(i += 1)];
                        overflow = true;
                    }
                    // Account for newline escape, but don't break preceding escape
                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
                    if (escapedFolds[j])
                        return text;
                    folds.push(j);
                    escapedFolds[j] = true;
                    end = j + endStep;
                    split = undefined;
                }
                else {
                    overflow = true;
                }
            }
        }
        prev = ch;
    }
    if (overflow && onOverflow)
        onOverflow();
    if (folds.length === 0)
        return text;
    if (onFold)
        onFold();
    let res = text.slice(0, folds[0]);
    for (let i = 0; i < folds.length; ++i) {
        const fold = folds[i];
        const end = folds[i + 1] || text.length;
        if (fold === 0)
            res = `\n${indent}${text.slice(0, end)}`;
        else {
            if (mode === FOLD_QUOTED && escapedFolds[fold])
                res += `${text[fold]}\\`;
            res += `\n${indent}${text.slice(fold + 1, end)}`;
        }
    }
    return res;
}
/**
 * Presumes `i + 1` is at the start of a line
 * @returns index of last newline in more-indented block
 */
function consumeMoreIndentedLines(text, i, indent) {
    let end = i;
    let start = i + 1;
    let ch = text[start];
    while (ch === ' ' || ch === '\t') {
        if (i < start + indent) {
            ch = text[++i];
        }
        else {
            do {
                ch = text[++i];
            } while (ch && ch !== '\n');
            end = i;
            start = i + 1;
            ch = text[start];
        }
    }
    return end;
}

exports.FOLD_BLOCK = FOLD_BLOCK;
exports.FOLD_FLOW = FOLD_FLOW;
exports.FOLD_QUOTED = FOLD_QUOTED;
exports.foldFlowLines = foldFlowLines;


/***/ }),

/***/ 9767:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var identity = __nccwpck_require__(1127);
var stringifyComment = __nccwpck_require__(9799);
var stringifyString = __nccwpck_require__(3069);

function createStringifyContext(doc, options) {
    const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: 'false',
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: 'null',
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: 'true',
        verifyAliasOrder: true
    }, doc.schema.toStringOptions, options);
    let inFlow;
    switch (opt.collectionStyle) {
        case 'block':
            inFlow = false;
            break;
        case 'flow':
            inFlow = true;
            break;
        default:
            inFlow = null;
    }
    return {
        anchors: new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
        indent: '',
        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
        inFlow,
        options: opt
    };
}
function getTagObject(tags, item) {
    if (item.tag) {
        const match = tags.filter(t => t.tag === item.tag);
        if (match.length > 0)
            return match.find(t => t.format === item.format) ?? match[0];
    }
    let tagObj = undefined;
    let obj;
    if (identity.isScalar(item)) {
        obj = item.value;
        let match = tags.filter(t => t.identify?.(obj));
        if (match.length > 1) {
            const testMatch = match.filter(t => t.test);
            if (testMatch.length > 0)
                match = testMatch;
        }
        tagObj =
            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
    }
    else {
        obj = item;
        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
    }
    if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
    }
    return tagObj;
}
// needs to be called before value stringifier to allow for circular anchor refs
function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
    if (!doc.directives)
        return '';
    const props = [];
    const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
    if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
    }
    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
    if (tag)
        props.push(doc.directives.tagString(tag));
    return props.join(' ');
}
function stringify(item, ctx, onComment, onChompKeep) {
    if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
    if (identity.isAlias(item)) {
        if (ctx.doc.directives)
            return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        }
        else {
            if (ctx.resolvedAliases)
                ctx.resolvedAliases.add(item);
            else
                ctx.resolvedAliases = new Set([item]);
            item = item.resolve(ctx.doc);
        }
    }
    let tagObj = undefined;
    const node = identity.isNode(item)
        ? item
        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
    const props = stringifyProps(node, tagObj, ctx);
    if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
    const str = typeof tagObj.stringify === 'function'
        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
        : identity.isScalar(node)
            ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep)
            : node.toString(ctx, onComment, onChompKeep);
    if (!props)
        return str;
    return identity.isScalar(node) || str[0] === '{' || str[0] === '['
        ? `${props} ${str}`
        : `${props}\n${ctx.indent}${str}`;
}

exports.createStringifyContext = createStringifyContext;
exports.stringify = stringify;


/***/ }),

/***/ 1212:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(9767);
var stringifyComment = __nccwpck_require__(9799);

function stringifyCollection(collection, ctx, options) {
    const flow = ctx.inFlow ?? collection.flow;
    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
    return stringify(collection, ctx, options);
}
function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
    const { indent, options: { commentString } } = ctx;
    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
    let chompKeep = false; // flag for the preceding node's status
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (!chompKeep && item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (!chompKeep && ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
            }
        }
        chompKeep = false;
        let str = stringify.stringify(item, itemCtx, () => (comment = null), () => (chompKeep = true));
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        if (chompKeep && comment)
            chompKeep = false;
        lines.push(blockItemPrefix + str);
    }
    let str;
    if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
    }
    else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
            const line = lines[i];
            str += line ? `\n${indent}${line}` : '\n';
        }
    }
    if (comment) {
        str += '\n' + stringifyComment.indentComment(commentString(comment), indent);
        if (onComment)
            onComment();
    }
    else if (chompKeep && onChompKeep)
        onChompKeep();
    return str;
}
function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
    itemIndent += indentStep;
    const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
    });
    let reqNewline = false;
    let linesAtValue = 0;
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, false);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, false);
                if (ik.comment)
                    reqNewline = true;
            }
            const iv = identity.isNode(item.value) ? item.value : null;
            if (iv) {
                if (iv.comment)
                    comment = iv.comment;
                if (iv.commentBefore)
                    reqNewline = true;
            }
            else if (item.value == null && ik?.comment) {
                comment = ik.comment;
            }
        }
        if (comment)
            reqNewline = true;
        let str = stringify.stringify(item, itemCtx, () => (comment = null));
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
        if (i < items.length - 1) {
            str += ',';
        }
        else if (ctx.options.trailingComma) {
            if (ctx.options.lineWidth > 0) {
                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
                    (str.length + 2) >
                    ctx.options.lineWidth);
            }
            if (reqNewline) {
                str += ',';
            }
        }
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
    }
    const { start, end } = flowChars;
    if (lines.length === 0) {
        return start + end;
    }
    else {
        if (!reqNewline) {
            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
            let str = start;
            for (const line of lines)
                str += line ? `\n${indentStep}${indent}${line}` : '\n';
            return `${str}\n${indent}${end}`;
        }
        else {
            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
        }
    }
}
function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
    if (comment && chompKeep)
        comment = comment.replace(/^\n+/, '');
    if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent);
        lines.push(ic.trimStart()); // Avoid double indent on first line
    }
}

exports.stringifyCollection = stringifyCollection;


/***/ }),

/***/ 9799:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringifies a comment.
 *
 * Empty comment lines are left empty,
 * lines consisting of a single space are replaced by `#`,
 * and all other lines are prefixed with a `#`.
 */
const stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
function indentComment(comment, indent) {
    if (/^\n+$/.test(comment))
        return comment.substring(1);
    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}
const lineComment = (str, indent, comment) => str.endsWith('\n')
    ? indentComment(comment, indent)
    : comment.includes('\n')
        ? '\n' + indentComment(comment, indent)
        : (str.endsWith(' ') ? '' : ' ') + comment;

exports.indentComment = indentComment;
exports.lineComment = lineComment;
exports.stringifyComment = stringifyComment;


/***/ }),

/***/ 6829:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(9767);
var stringifyComment = __nccwpck_require__(9799);

function stringifyDocument(doc, options) {
    const lines = [];
    let hasDirectives = options.directives === true;
    if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
            lines.push(dir);
            hasDirectives = true;
        }
        else if (doc.directives.docStart)
            hasDirectives = true;
    }
    if (hasDirectives)
        lines.push('---');
    const ctx = stringify.createStringifyContext(doc, options);
    const { commentString } = ctx.options;
    if (doc.commentBefore) {
        if (lines.length !== 1)
            lines.unshift('');
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ''));
    }
    let chompKeep = false;
    let contentComment = null;
    if (doc.contents) {
        if (identity.isNode(doc.contents)) {
            if (doc.contents.spaceBefore && hasDirectives)
                lines.push('');
            if (doc.contents.commentBefore) {
                const cs = commentString(doc.contents.commentBefore);
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            // top-level block scalars need to be indented if followed by a comment
            ctx.forceBlockIndent = !!doc.comment;
            contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
        let body = stringify.stringify(doc.contents, ctx, () => (contentComment = null), onChompKeep);
        if (contentComment)
            body += stringifyComment.lineComment(body, '', commentString(contentComment));
        if ((body[0] === '|' || body[0] === '>') &&
            lines[lines.length - 1] === '---') {
            // Top-level block scalars with a preceding doc marker ought to use the
            // same line for their header.
            lines[lines.length - 1] = `--- ${body}`;
        }
        else
            lines.push(body);
    }
    else {
        lines.push(stringify.stringify(doc.contents, ctx));
    }
    if (doc.directives?.docEnd) {
        if (doc.comment) {
            const cs = commentString(doc.comment);
            if (cs.includes('\n')) {
                lines.push('...');
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            else {
                lines.push(`... ${cs}`);
            }
        }
        else {
            lines.push('...');
        }
    }
    else {
        let dc = doc.comment;
        if (dc && chompKeep)
            dc = dc.replace(/^\n+/, '');
        if (dc) {
            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
                lines.push('');
            lines.push(stringifyComment.indentComment(commentString(dc), ''));
        }
    }
    return lines.join('\n') + '\n';
}

exports.stringifyDocument = stringifyDocument;


/***/ }),

/***/ 8689:
/***/ ((__unused_webpack_module, exports) => {



function stringifyNumber({ format, minFractionDigits, tag, value }) {
    if (typeof value === 'bigint')
        return String(value);
    const num = typeof value === 'number' ? value : Number(value);
    if (!isFinite(num))
        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
    if (!format &&
        minFractionDigits &&
        (!tag || tag === 'tag:yaml.org,2002:float') &&
        /^-?\d/.test(n) &&
        !n.includes('e')) {
        let i = n.indexOf('.');
        if (i < 0) {
            i = n.length;
            n += '.';
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
            n += '0';
    }
    return n;
}

exports.stringifyNumber = stringifyNumber;


/***/ }),

/***/ 9748:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var stringify = __nccwpck_require__(9767);
var stringifyComment = __nccwpck_require__(9799);

function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
    let keyComment = (identity.isNode(key) && key.comment) || null;
    if (simpleKeys) {
        if (keyComment) {
            throw new Error('With simple keys, key nodes cannot have comments');
        }
        if (identity.isCollection(key) || (!identity.isNode(key) && typeof key === 'object')) {
            const msg = 'With simple keys, collection cannot be used as a key value';
            throw new Error(msg);
        }
    }
    let explicitKey = !simpleKeys &&
        (!key ||
            (keyComment && value == null && !ctx.inFlow) ||
            identity.isCollection(key) ||
            (identity.isScalar(key)
                ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL
                : typeof key === 'object'));
    ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
    });
    let keyCommentDone = false;
    let chompKeep = false;
    let str = stringify.stringify(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
        explicitKey = true;
    }
    if (ctx.inFlow) {
        if (allNullValues || value == null) {
            if (keyCommentDone && onComment)
                onComment();
            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
        }
    }
    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        }
        else if (chompKeep && onChompKeep)
            onChompKeep();
        return str;
    }
    if (keyCommentDone)
        keyComment = null;
    if (explicitKey) {
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}\n${indent}:`;
    }
    else {
        str = `${str}:`;
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
    }
    let vsb, vcb, valueComment;
    if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
    }
    else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === 'object')
            value = doc.createNode(value);
    }
    ctx.implicitKey = false;
    if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str.length + 1;
    chompKeep = false;
    if (!indentSeq &&
        indentStep.length >= 2 &&
        !ctx.inFlow &&
        !explicitKey &&
        identity.isSeq(value) &&
        !value.flow &&
        !value.tag &&
        !value.anchor) {
        // If indentSeq === false, consider '- ' as part of indentation where possible
        ctx.indent = ctx.indent.substring(2);
    }
    let valueCommentDone = false;
    const valueStr = stringify.stringify(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
    let ws = ' ';
    if (keyComment || vsb || vcb) {
        ws = vsb ? '\n' : '';
        if (vcb) {
            const cs = commentString(vcb);
            ws += `\n${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === '' && !ctx.inFlow) {
            if (ws === '\n' && valueComment)
                ws = '\n\n';
        }
        else {
            ws += `\n${ctx.indent}`;
        }
    }
    else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf('\n');
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
            let hasPropsLine = false;
            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
                let sp0 = valueStr.indexOf(' ');
                if (vs0 === '&' &&
                    sp0 !== -1 &&
                    sp0 < nl0 &&
                    valueStr[sp0 + 1] === '!') {
                    sp0 = valueStr.indexOf(' ', sp0 + 1);
                }
                if (sp0 === -1 || nl0 < sp0)
                    hasPropsLine = true;
            }
            if (!hasPropsLine)
                ws = `\n${ctx.indent}`;
        }
    }
    else if (valueStr === '' || valueStr[0] === '\n') {
        ws = '';
    }
    str += ws + valueStr;
    if (ctx.inFlow) {
        if (valueCommentDone && onComment)
            onComment();
    }
    else if (valueComment && !valueCommentDone) {
        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
    }
    else if (chompKeep && onChompKeep) {
        onChompKeep();
    }
    return str;
}

exports.stringifyPair = stringifyPair;


/***/ }),

/***/ 3069:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var foldFlowLines = __nccwpck_require__(4475);

const getFoldOptions = (ctx, isBlock) => ({
    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
    lineWidth: ctx.options.lineWidth,
    minContentWidth: ctx.options.minContentWidth
});
// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
// presume that's starting a new document.
const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
function lineLengthOverLimit(str, lineWidth, indentLength) {
    if (!lineWidth || lineWidth < 0)
        return false;
    const limit = lineWidth - indentLength;
    const strLen = str.length;
    if (strLen <= limit)
        return false;
    for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === '\n') {
            if (i - start > limit)
                return true;
            start = i + 1;
            if (strLen - start <= limit)
                return false;
        }
    }
    return true;
}
function doubleQuotedString(value, ctx) {
    const json = JSON.stringify(value);
    if (ctx.options.doubleQuotedAsJSON)
        return json;
    const { implicitKey } = ctx;
    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    let str = '';
    let start = 0;
    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
            // space before newline needs to be escaped to not be folded
            str += json.slice(start, i) + '\\ ';
            i += 1;
            start = i;
            ch = '\\';
        }
        if (ch === '\\')
            switch (json[i + 1]) {
                case 'u':
                    {
                        str += json.slice(start, i);
                        const code = json.substr(i + 2, 4);
                        switch (code) {
                            case '0000':
                                str += '\\0';
                                break;
                            case '0007':
                                str += '\\a';
                                break;
                            case '000b':
                                str += '\\v';
                                break;
                            case '001b':
                                str += '\\e';
                                break;
                            case '0085':
                                str += '\\N';
                                break;
                            case '00a0':
                                str += '\\_';
                                break;
                            case '2028':
                                str += '\\L';
                                break;
                            case '2029':
                                str += '\\P';
                                break;
                            default:
                                if (code.substr(0, 2) === '00')
                                    str += '\\x' + code.substr(2);
                                else
                                    str += json.substr(i, 6);
                        }
                        i += 5;
                        start = i + 1;
                    }
                    break;
                case 'n':
                    if (implicitKey ||
                        json[i + 2] === '"' ||
                        json.length < minMultiLineLength) {
                        i += 1;
                    }
                    else {
                        // folding will eat first newline
                        str += json.slice(start, i) + '\n\n';
                        while (json[i + 2] === '\\' &&
                            json[i + 3] === 'n' &&
                            json[i + 4] !== '"') {
                            str += '\n';
                            i += 2;
                        }
                        str += indent;
                        // space after newline needs to be escaped to not be folded
                        if (json[i + 2] === ' ')
                            str += '\\';
                        i += 1;
                        start = i + 1;
                    }
                    break;
                default:
                    i += 1;
            }
    }
    str = start ? str + json.slice(start) : json;
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
}
function singleQuotedString(value, ctx) {
    if (ctx.options.singleQuote === false ||
        (ctx.implicitKey && value.includes('\n')) ||
        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
    )
        return doubleQuotedString(value, ctx);
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
    return ctx.implicitKey
        ? res
        : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function quotedString(value, ctx) {
    const { singleQuote } = ctx.options;
    let qs;
    if (singleQuote === false)
        qs = doubleQuotedString;
    else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
            qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
            qs = doubleQuotedString;
        else
            qs = singleQuote ? singleQuotedString : doubleQuotedString;
    }
    return qs(value, ctx);
}
// The negative lookbehind avoids a polynomial search,
// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
let blockEndNewlines;
try {
    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
}
catch {
    blockEndNewlines = /\n+(?!\n|$)/g;
}
function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
    const { blockQuote, commentString, lineWidth } = ctx.options;
    // 1. Block can't end in whitespace unless the last line is non-empty.
    // 2. Strings consisting of only whitespace are best rendered explicitly.
    if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
    }
    const indent = ctx.indent ||
        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
    const literal = blockQuote === 'literal'
        ? true
        : blockQuote === 'folded' || type === Scalar.Scalar.BLOCK_FOLDED
            ? false
            : type === Scalar.Scalar.BLOCK_LITERAL
                ? true
                : !lineLengthOverLimit(value, lineWidth, indent.length);
    if (!value)
        return literal ? '|\n' : '>\n';
    // determine chomping from whitespace at value end
    let chomp;
    let endStart;
    for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
            break;
    }
    let end = value.substring(endStart);
    const endNlPos = end.indexOf('\n');
    if (endNlPos === -1) {
        chomp = '-'; // strip
    }
    else if (value === end || endNlPos !== end.length - 1) {
        chomp = '+'; // keep
        if (onChompKeep)
            onChompKeep();
    }
    else {
        chomp = ''; // clip
    }
    if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === '\n')
            end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
    }
    // determine indent indicator from whitespace at value start
    let startWithSpace = false;
    let startEnd;
    let startNlPos = -1;
    for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === ' ')
            startWithSpace = true;
        else if (ch === '\n')
            startNlPos = startEnd;
        else
            break;
    }
    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
    if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
    }
    const indentSize = indent ? '2' : '1'; // root is at -1
    // Leading | or > is added later
    let header = (startWithSpace ? indentSize : '') + chomp;
    if (comment) {
        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
        if (onComment)
            onComment();
    }
    if (!literal) {
        const foldedValue = value
            .replace(/\n+/g, '\n$&')
            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
            .replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== 'folded' && type !== Scalar.Scalar.BLOCK_FOLDED) {
            foldOptions.onOverflow = () => {
                literalFallback = true;
            };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
            return `>${header}\n${indent}${body}`;
    }
    value = value.replace(/\n+/g, `$&${indent}`);
    return `|${header}\n${indent}${start}${value}${end}`;
}
function plainString(item, ctx, onComment, onChompKeep) {
    const { type, value } = item;
    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
    if ((implicitKey && value.includes('\n')) ||
        (inFlow && /[[\]{},]/.test(value))) {
        return quotedString(value, ctx);
    }
    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        // not allowed:
        // - '-' or '?'
        // - start with an indicator character (except [?:-]) or /[?-] /
        // - '\n ', ': ' or ' \n' anywhere
        // - '#' not preceded by a non-space char
        // - end with ' ' or ':'
        return implicitKey || inFlow || !value.includes('\n')
            ? quotedString(value, ctx)
            : blockString(item, ctx, onComment, onChompKeep);
    }
    if (!implicitKey &&
        !inFlow &&
        type !== Scalar.Scalar.PLAIN &&
        value.includes('\n')) {
        // Where allowed & type not set explicitly, prefer block style for multiline strings
        return blockString(item, ctx, onComment, onChompKeep);
    }
    if (containsDocumentMarker(value)) {
        if (indent === '') {
            ctx.forceBlockIndent = true;
            return blockString(item, ctx, onComment, onChompKeep);
        }
        else if (implicitKey && indent === indentStep) {
            return quotedString(value, ctx);
        }
    }
    const str = value.replace(/\n+/g, `$&\n${indent}`);
    // Verify that output will be parsed as a string, as e.g. plain numbers and
    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
    // and others in v1.1.
    if (actualString) {
        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
            return quotedString(value, ctx);
    }
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function stringifyString(item, ctx, onComment, onChompKeep) {
    const { implicitKey, inFlow } = ctx;
    const ss = typeof item.value === 'string'
        ? item
        : Object.assign({}, item, { value: String(item.value) });
    let { type } = item;
    if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        // force double quotes on control characters & unpaired surrogates
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
            type = Scalar.Scalar.QUOTE_DOUBLE;
    }
    const _stringify = (_type) => {
        switch (_type) {
            case Scalar.Scalar.BLOCK_FOLDED:
            case Scalar.Scalar.BLOCK_LITERAL:
                return implicitKey || inFlow
                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
                    : blockString(ss, ctx, onComment, onChompKeep);
            case Scalar.Scalar.QUOTE_DOUBLE:
                return doubleQuotedString(ss.value, ctx);
            case Scalar.Scalar.QUOTE_SINGLE:
                return singleQuotedString(ss.value, ctx);
            case Scalar.Scalar.PLAIN:
                return plainString(ss, ctx, onComment, onChompKeep);
            default:
                return null;
        }
    };
    let res = _stringify(type);
    if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = (implicitKey && defaultKeyType) || defaultStringType;
        res = _stringify(t);
        if (res === null)
            throw new Error(`Unsupported default string type ${t}`);
    }
    return res;
}

exports.stringifyString = stringifyString;


/***/ }),

/***/ 204:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove node');
/**
 * Apply a visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
function visit(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        visit_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current node */
visit.SKIP = SKIP;
/** Remove the current node */
visit.REMOVE = REMOVE;
function visit_(key, node, visitor, path) {
    const ctrl = callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = visit_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = visit_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = visit_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
/**
 * Apply an async visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `Promise`: Must resolve to one of the following values
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
async function visitAsync(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visitAsync.BREAK = BREAK;
/** Do not visit the children of the current node */
visitAsync.SKIP = SKIP;
/** Remove the current node */
visitAsync.REMOVE = REMOVE;
async function visitAsync_(key, node, visitor, path) {
    const ctrl = await callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visitAsync_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = await visitAsync_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = await visitAsync_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = await visitAsync_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
function initVisitor(visitor) {
    if (typeof visitor === 'object' &&
        (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
            Alias: visitor.Node,
            Map: visitor.Node,
            Scalar: visitor.Node,
            Seq: visitor.Node
        }, visitor.Value && {
            Map: visitor.Value,
            Scalar: visitor.Value,
            Seq: visitor.Value
        }, visitor.Collection && {
            Map: visitor.Collection,
            Seq: visitor.Collection
        }, visitor);
    }
    return visitor;
}
function callVisitor(key, node, visitor, path) {
    if (typeof visitor === 'function')
        return visitor(key, node, path);
    if (identity.isMap(node))
        return visitor.Map?.(key, node, path);
    if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path);
    if (identity.isPair(node))
        return visitor.Pair?.(key, node, path);
    if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path);
    if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path);
    return undefined;
}
function replaceNode(key, path, node) {
    const parent = path[path.length - 1];
    if (identity.isCollection(parent)) {
        parent.items[key] = node;
    }
    else if (identity.isPair(parent)) {
        if (key === 'key')
            parent.key = node;
        else
            parent.value = node;
    }
    else if (identity.isDocument(parent)) {
        parent.contents = node;
    }
    else {
        const pt = identity.isAlias(parent) ? 'alias' : 'scalar';
        throw new Error(`Cannot replace node with ${pt} parent`);
    }
}

exports.visit = visit;
exports.visitAsync = visitAsync;


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
/******/ var __webpack_exports__ = __nccwpck_require__(5581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 
