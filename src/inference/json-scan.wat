;; The hot loop of json-scan.ts: finds where a JSON string or container ends in a window of a body's bytes,
;; 32 bytes at a time. A JavaScript byte loop cost about three times one JSON.parse of a long chat body;
;; this costs well under one (issue 16). It checks what json-scan.ts checked below the top level: strings
;; end, and brackets match. Build: `npm run build:wasm` (wabt) writes json-scan.wasm, which is committed.
;;
;; Per block of 32 bytes, each byte of interest becomes one bit of a mask (bit i = byte p + i):
;; - escaped: the bytes a backslash escapes. A run of backslashes escapes every second byte after its
;;   start; adding the run's start bit to a run that starts on an odd bit carries through it, which turns
;;   "every second byte" into a parity against 0x55555555 without a loop (the simdjson paper's method).
;; - inString: the prefix XOR of the unescaped quotes; a bit is set from an opening quote up to the byte
;;   before its closing one.
;; - the brackets and commas outside strings are the only bytes the block visits one by one (a chat
;;   body has a handful per message).
;; State that crosses blocks and windows lives in globals, so the caller can feed a long body in windows
;; whose sizes are multiples of 32: the escape carried over, whether the block ended inside a string,
;; the depth and the commas at depth 1. The bracket kinds are a stack of bits at `stack` (1 = brace).
;; The caller zeroes 32 bytes past the window's end, which the last block may read.
;; The masks are written out in place rather than in helper functions: V8 did not inline those calls,
;; and the loop ran about 40 % slower with them.
(module
  (import "env" "memory" (memory 1))
  (global $depth (export "depth") (mut i32) (i32.const 0))
  (global $commas (export "commas") (mut i32) (i32.const 0))
  (global $carry (export "carry") (mut i32) (i32.const 0))
  (global $inString (export "inString") (mut i32) (i32.const 0))

  ;; Scans blocks from `p` while p < `stop`. Returns the index just past the value's end (a string's
  ;; closing quote when `string` is 1; else the bracket that brings the depth back to 0), -1 when the
  ;; window ended first (feed the next one), -2 for a mismatched bracket, -3 when the depth passes
  ;; `maxDepth` (the stack's size in bits).
  (func $scan (export "scan")
    (param $p i32) (param $stop i32) (param $string i32) (param $stack i32) (param $maxDepth i32) (result i32)
    (local $v v128) (local $w v128) (local $backslashes i32) (local $follows i32) (local $escaped i32)
    (local $quotes i32) (local $inside i32) (local $hits i32) (local $pos i32) (local $byte i32)
    (local $addr i32) (local $bit i32)
    (block $out
      (loop $block
        (br_if $out (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (local.set $w (v128.load offset=16 align=1 (local.get $p)))

        ;; A backslash escaped by the previous block starts nothing.
        (local.set $backslashes
          (i32.and
            (i32.or
              (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
              (i32.shl (i8x16.bitmask (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x5c)))) (i32.const 16)))
            (i32.xor (global.get $carry) (i32.const -1))))
        (local.set $follows (i32.or (i32.shl (local.get $backslashes) (i32.const 1)) (global.get $carry)))
        (local.set $escaped (i32.and
          (i32.xor (i32.const 0x55555555)
            (i32.shl
              (i32.add (local.get $backslashes)
                (i32.and (local.get $backslashes)
                  (i32.and (i32.const 0xaaaaaaaa) (i32.xor (local.get $follows) (i32.const -1)))))
              (i32.const 1)))
          (local.get $follows)))
        ;; An unescaped backslash in the last byte escapes the next block's first.
        (global.set $carry
          (i32.shr_u (i32.and (local.get $backslashes) (i32.xor (local.get $escaped) (i32.const -1))) (i32.const 31)))

        (local.set $quotes
          (i32.and
            (i32.or
              (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22))))
              (i32.shl (i8x16.bitmask (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x22)))) (i32.const 16)))
            (i32.xor (local.get $escaped) (i32.const -1))))
        (local.set $inside (local.get $quotes))
        (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 1))))
        (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 2))))
        (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 4))))
        (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 8))))
        (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 16))))
        (local.set $inside (i32.xor (local.get $inside) (global.get $inString)))
        (global.set $inString (i32.shr_s (local.get $inside) (i32.const 31)))

        (if (local.get $string) (then
          ;; A string ends at its first closing quote (a quote whose bit is outside).
          (local.set $hits (i32.and (local.get $quotes) (i32.xor (local.get $inside) (i32.const -1))))
          (if (local.get $hits) (then
            (return (i32.add (i32.add (local.get $p) (i32.ctz (local.get $hits))) (i32.const 1)))))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (br $block)))

        ;; Brackets and commas outside strings: '[' and '{' differ only in bit 0x20, as do ']' and '}'.
        (local.set $hits (i32.and
          (i32.or
            (i8x16.bitmask (v128.or
              (v128.or (i8x16.eq (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x7b)))
                       (i8x16.eq (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x7d))))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2c)))))
            (i32.shl (i8x16.bitmask (v128.or
              (v128.or (i8x16.eq (v128.or (local.get $w) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x7b)))
                       (i8x16.eq (v128.or (local.get $w) (i8x16.splat (i32.const 0x20))) (i8x16.splat (i32.const 0x7d))))
              (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x2c))))) (i32.const 16)))
          (i32.xor (local.get $inside) (i32.const -1))))
        (block $structure (loop $next
          (br_if $structure (i32.eqz (local.get $hits)))
          (local.set $pos (i32.add (local.get $p) (i32.ctz (local.get $hits))))
          (local.set $hits (i32.and (local.get $hits) (i32.sub (local.get $hits) (i32.const 1))))
          (local.set $byte (i32.load8_u (local.get $pos)))
          (if (i32.eq (local.get $byte) (i32.const 0x2c)) (then
            (if (i32.eq (global.get $depth) (i32.const 1))
              (then (global.set $commas (i32.add (global.get $commas) (i32.const 1)))))
            (br $next)))
          (if (i32.eq (i32.or (local.get $byte) (i32.const 0x20)) (i32.const 0x7b)) (then
            ;; An opening bracket: push its kind.
            (if (i32.ge_u (global.get $depth) (local.get $maxDepth)) (then (return (i32.const -3))))
            (local.set $addr (i32.add (local.get $stack) (i32.shr_u (global.get $depth) (i32.const 3))))
            (local.set $bit (i32.and (global.get $depth) (i32.const 7)))
            (i32.store8 (local.get $addr) (i32.or
              (i32.and (i32.load8_u (local.get $addr)) (i32.xor (i32.shl (i32.const 1) (local.get $bit)) (i32.const -1)))
              (i32.shl (i32.eq (local.get $byte) (i32.const 0x7b)) (local.get $bit))))
            (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
            (br $next)))
          ;; A closing bracket: it must close one of its kind.
          (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
          (if (i32.ne
                (i32.and
                  (i32.shr_u (i32.load8_u (i32.add (local.get $stack) (i32.shr_u (global.get $depth) (i32.const 3))))
                             (i32.and (global.get $depth) (i32.const 7)))
                  (i32.const 1))
                (i32.eq (local.get $byte) (i32.const 0x7d)))
            (then (return (i32.const -2))))
          (if (i32.eqz (global.get $depth)) (then (return (i32.add (local.get $pos) (i32.const 1)))))
          (br $next)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $block)))
    (i32.const -1)))
