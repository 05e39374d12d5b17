/*
 * The same benchmarks as proto/benches/tessera_bench.rs, against MIT krb5's
 * libkrb5 / libk5crypto, printing the same lines:
 *
 *   bench <name> <ns/op> <iterations per round>
 *
 * encdec-1k/<etype>: krb5_c_encrypt + krb5_c_decrypt of 1 KiB (usage 3);
 * s2k/<etype>: krb5_c_string_to_key with default parameters;
 * der/as-req, der/as-rep: decode_krb5_as_req/rep + encode_krb5_as_req/rep
 * of the MIT captures (these internal functions are exported by libkrb5
 * but not declared in krb5.h, so they are declared here).
 *
 * Usage: mit_crypto CAPTURE_DIR [FILTER]. BENCH_ROUNDS (default 5) rounds
 * of about BENCH_SECS seconds (default 0.5) each; the median is printed.
 * Build: gcc -O2 mit_crypto.c $(krb5-config --cflags --libs krb5)
 */
#define _POSIX_C_SOURCE 200809L
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

krb5_error_code decode_krb5_as_req(const krb5_data *, krb5_kdc_req **);
krb5_error_code encode_krb5_as_req(const krb5_kdc_req *, krb5_data **);
krb5_error_code decode_krb5_as_rep(const krb5_data *, krb5_kdc_rep **);
krb5_error_code encode_krb5_as_rep(const krb5_kdc_rep *, krb5_data **);
void krb5_free_kdc_req(krb5_context, krb5_kdc_req *);
void krb5_free_kdc_rep(krb5_context, krb5_kdc_rep *);

static krb5_context ctx;
static const char *filter;

static void die(const char *what, krb5_error_code code)
{
    fprintf(stderr, "%s: %s\n", what, krb5_get_error_message(ctx, code));
    exit(1);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double env_num(const char *name, double dflt)
{
    const char *v = getenv(name);
    return v && *v ? atof(v) : dflt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*op_fn)(void *);

/* Calibrate, run the rounds, print the median ns/op. */
static void bench(const char *name, op_fn op, void *arg)
{
    if (filter && !strstr(name, filter))
        return;
    int rounds = (int)env_num("BENCH_ROUNDS", 5);
    double secs = env_num("BENCH_SECS", 0.5);
    if (rounds < 1)
        rounds = 1;
    unsigned long iters = 1;
    for (;;) {
        double t = now_ns();
        for (unsigned long i = 0; i < iters; i++)
            op(arg);
        double el = now_ns() - t;
        if (el >= secs * 1e9 / 10 || iters >= (1ul << 30)) {
            double per = el / (double)iters;
            iters = (unsigned long)(secs * 1e9 / per + 1);
            if (iters < 3)
                iters = 3;
            break;
        }
        iters *= 2;
    }
    double *samples = calloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        double t = now_ns();
        for (unsigned long i = 0; i < iters; i++)
            op(arg);
        samples[r] = (now_ns() - t) / (double)iters;
    }
    qsort(samples, (size_t)rounds, sizeof(double), cmp_double);
    printf("bench %s %.0f %lu\n", name, samples[rounds / 2], iters);
    fflush(stdout);
    free(samples);
}

/* ---- encrypt + decrypt ---- */
struct encdec {
    krb5_keyblock *key;
    size_t ctlen;
    krb5_data plain;
    krb5_enc_data enc;
    krb5_data out;
};

static void op_encdec(void *p)
{
    struct encdec *e = p;
    krb5_error_code ret;
    /* krb5_c_encrypt wants the buffer's exact length on every call. */
    e->enc.ciphertext.length = (unsigned int)e->ctlen;
    ret = krb5_c_encrypt(ctx, e->key, 3, NULL, &e->plain, &e->enc);
    if (ret)
        die("krb5_c_encrypt", ret);
    e->out.length = e->plain.length;
    ret = krb5_c_decrypt(ctx, e->key, 3, NULL, &e->enc, &e->out);
    if (ret)
        die("krb5_c_decrypt", ret);
}

static void bench_encdec(krb5_enctype etype)
{
    struct encdec e;
    size_t keylen;
    krb5_error_code ret;
    char name[64];
    static char msg[1024];

    memset(&e, 0, sizeof(e));
    memset(msg, 0xa5, sizeof(msg));
    if ((ret = krb5_c_keylengths(ctx, etype, NULL, &keylen)))
        die("krb5_c_keylengths", ret);
    if ((ret = krb5_init_keyblock(ctx, etype, keylen, &e.key)))
        die("krb5_init_keyblock", ret);
    for (size_t i = 0; i < keylen; i++)
        e.key->contents[i] = (krb5_octet)i;
    e.plain.data = msg;
    e.plain.length = sizeof(msg);
    if ((ret = krb5_c_encrypt_length(ctx, etype, sizeof(msg), &e.ctlen)))
        die("krb5_c_encrypt_length", ret);
    e.enc.ciphertext.data = malloc(e.ctlen);
    e.out.data = malloc(e.ctlen);
    snprintf(name, sizeof(name), "encdec-1k/%d", (int)etype);
    bench(name, op_encdec, &e);
    free(e.enc.ciphertext.data);
    free(e.out.data);
    krb5_free_keyblock(ctx, e.key);
}

/* ---- string-to-key ---- */
struct s2k {
    krb5_enctype etype;
    krb5_data password, salt;
};

static void op_s2k(void *p)
{
    struct s2k *s = p;
    krb5_keyblock kb;
    krb5_error_code ret = krb5_c_string_to_key(ctx, s->etype, &s->password, &s->salt, &kb);
    if (ret)
        die("krb5_c_string_to_key", ret);
    krb5_free_keyblock_contents(ctx, &kb);
}

static void bench_s2k(krb5_enctype etype)
{
    static char pw[] = "correct horse battery staple";
    static char salt[] = "EXAMPLE.COMuser";
    struct s2k s = { etype, { 0, sizeof(pw) - 1, pw }, { 0, sizeof(salt) - 1, salt } };
    char name[64];
    snprintf(name, sizeof(name), "s2k/%d", (int)etype);
    bench(name, op_s2k, &s);
}

/* ---- DER ---- */
static krb5_data read_file(const char *dir, const char *file)
{
    char path[4096];
    krb5_data d = { 0, 0, NULL };
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    d.data = malloc(65536);
    d.length = (unsigned int)fread(d.data, 1, 65536, f);
    fclose(f);
    return d;
}

static void op_as_req(void *p)
{
    krb5_data *in = p, *out = NULL;
    krb5_kdc_req *req = NULL;
    krb5_error_code ret;
    if ((ret = decode_krb5_as_req(in, &req)))
        die("decode_krb5_as_req", ret);
    if ((ret = encode_krb5_as_req(req, &out)))
        die("encode_krb5_as_req", ret);
    if (out->length != in->length) {
        fprintf(stderr, "AS-REQ re-encoding differs in length\n");
        exit(1);
    }
    krb5_free_data(ctx, out);
    krb5_free_kdc_req(ctx, req);
}

static void op_as_rep(void *p)
{
    krb5_data *in = p, *out = NULL;
    krb5_kdc_rep *rep = NULL;
    krb5_error_code ret;
    if ((ret = decode_krb5_as_rep(in, &rep)))
        die("decode_krb5_as_rep", ret);
    if ((ret = encode_krb5_as_rep(rep, &out)))
        die("encode_krb5_as_rep", ret);
    if (out->length != in->length) {
        fprintf(stderr, "AS-REP re-encoding differs in length\n");
        exit(1);
    }
    krb5_free_data(ctx, out);
    krb5_free_kdc_rep(ctx, rep);
}

int main(int argc, char **argv)
{
    static const krb5_enctype etypes[] = { 17, 18, 19, 20 };
    krb5_error_code ret;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAPTURE_DIR [FILTER]\n", argv[0]);
        return 2;
    }
    filter = argc > 2 ? argv[2] : NULL;
    if ((ret = krb5_init_context(&ctx))) {
        fprintf(stderr, "krb5_init_context failed: %d\n", (int)ret);
        return 1;
    }
    for (size_t i = 0; i < 4; i++)
        bench_encdec(etypes[i]);
    for (size_t i = 0; i < 4; i++)
        bench_s2k(etypes[i]);
    krb5_data req = read_file(argv[1], "as-preauth-3-as-req.der");
    krb5_data rep = read_file(argv[1], "as-preauth-4-as-rep.der");
    bench("der/as-req", op_as_req, &req);
    bench("der/as-rep", op_as_rep, &rep);
    free(req.data);
    free(rep.data);
    krb5_free_context(ctx);
    return 0;
}
