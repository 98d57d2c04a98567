// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/decode.h"
#include "unit.h"

static struct decoder *dec_fixture(struct tep_handle **tepp)
{
	struct tep_handle *tep = fixture_tep();

	*tepp = tep;
	return tep ? decoder_new(tep) : NULL;
}

TEST(decode_knows_both_backends)
{
	struct tep_handle *tep;
	struct decoder *d = dec_fixture(&tep);

	CHECK(d != NULL);
	if (!d)
		return;
	/* 8 syscall events + 5 kprobe events (markers not counted) */
	CHECK_EQ(decoder_known_events(d), 13);
	CHECK(decoder_has_recv(d));
	CHECK(decoder_has_mem(d));
	CHECK_STR(decoder_backend(d), "kprobe");
	decoder_free(d);
	tep_free(tep);
}

TEST(decode_tracepoint_recvfrom)
{
	struct tep_handle *tep;
	struct decoder *d = dec_fixture(&tep);
	struct rt_event ev;
	u8 b[128];
	u32 n;

	n = fx_sys_enter_recvfrom(b, 4242, 7, 65536, 0x40, 0x7ffd0000);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.tid, 4242);
	CHECK_EQ(ev.id, FX_ENTER_RECVFROM);
	CHECK_EQ(ev.recv_enter.fd, 7);
	CHECK_EQ(ev.recv_enter.size, 65536);
	CHECK_EQ(ev.recv_enter.flags, 0x40);
	CHECK(ev.recv_enter.has_addr);

	n = fx_sys_exit(b, FX_EXIT_RECVFROM, 4242, -11);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_EXIT);
	CHECK_EQ(ev.exit.ret, -11);
	n = fx_sys_exit(b, FX_EXIT_RECVFROM, 4242, 1 << 20);
	decode_event(d, b, n, &ev);
	CHECK_EQ(ev.exit.ret, 1 << 20);
	decoder_free(d);
	tep_free(tep);
}

TEST(decode_kprobe_events)
{
	struct tep_handle *tep;
	struct decoder *d = dec_fixture(&tep);
	struct rt_event ev;
	char buf[64];
	u8 b[128];
	u32 n;

	n = fx_k_recvfrom(b, 10, 3, 1500, 0, 0);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.recv_enter.fd, 3);
	CHECK(!ev.recv_enter.has_addr);

	/* a negative s32 return is sign-extended */
	n = fx_k_ret(b, FX_K_RECVFROM_RET, 10, -9);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_EXIT);
	CHECK_EQ(ev.exit.ret, -9);

	n = fx_k_addr4(b, 10, 16, "10.1.2.3", 40002);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_ADDR);
	CHECK_EQ(ev.recv_addr.klen, 16);
	CHECK_EQ(ev.recv_addr.addr.family, RT_FAM_INET);
	CHECK_EQ(ev.recv_addr.addr.port, 40002);
	rt_addr_format(&ev.recv_addr.addr, buf, sizeof(buf));
	CHECK_STR(buf, "10.1.2.3");

	n = fx_k_addr6(b, 10, 28, "fe80::1:2", 53);
	decode_event(d, b, n, &ev);
	CHECK_EQ(ev.recv_addr.addr.family, RT_FAM_INET6);
	CHECK_EQ(ev.recv_addr.addr.port, 53);
	rt_addr_format(&ev.recv_addr.addr, buf, sizeof(buf));
	CHECK_STR(buf, "fe80::1:2");

	n = fx_k_addr_unix(b, 10, "/run/sock", 0);
	decode_event(d, b, n, &ev);
	CHECK_EQ(ev.recv_addr.addr.family, RT_FAM_UNIX);
	rt_addr_format(&ev.recv_addr.addr, buf, sizeof(buf));
	CHECK_STR(buf, "/run/sock");
	n = fx_k_addr_unix(b, 10, "abstract", 1);
	decode_event(d, b, n, &ev);
	rt_addr_format(&ev.recv_addr.addr, buf, sizeof(buf));
	CHECK_STR(buf, "@abstract");

	n = fx_k_mm(b, 11, 900, 899, "victim", 0x12);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_MM_ENTER);
	CHECK_EQ(ev.mm_enter.target_pid, 900);
	CHECK_EQ(ev.mm_enter.target_tgid, 899);
	CHECK_EQ(ev.mm_enter.mode, 0x12);
	CHECK_STR(ev.mm_enter.target_comm, "victim");
	n = fx_k_ret(b, FX_K_MM_ACCESS_RET, 11, -13);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_MM_EXIT);
	CHECK_EQ(ev.exit.ret, -13);
	decoder_free(d);
	tep_free(tep);
}

TEST(decode_markers_and_others)
{
	struct tep_handle *tep;
	struct decoder *d = dec_fixture(&tep);
	struct rt_event ev;
	u8 b[128];
	u32 n;

	n = fx_print(b, 1, "recvtop: start");
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_MARKER);
	CHECK_EQ(ev.marker.what, RT_MARK_START);
	n = fx_print(b, 1, "recvtop: stop");
	decode_event(d, b, n, &ev);
	CHECK_EQ(ev.marker.what, RT_MARK_STOP);
	n = fx_print(b, 1, "someone else's marker");
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_OTHER);
	n = fx_unrelated(b, 1);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_OTHER);
	/* an id beyond every format */
	b[0] = 0xff;
	b[1] = 0x7f;
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_OTHER);
	decoder_free(d);
	tep_free(tep);
}

TEST(decode_rejects_short_records)
{
	struct tep_handle *tep;
	struct decoder *d = dec_fixture(&tep);
	struct rt_event ev;
	u8 b[128];
	u32 n = fx_sys_enter_recvfrom(b, 1, 2, 3, 4, 5);

	/* fd lies at 16..24: a record cut before it is malformed */
	CHECK_EQ(decode_event(d, b, 20, &ev), RT_EV_NONE);
	CHECK_EQ(decode_event(d, b, 4, &ev), RT_EV_NONE);
	CHECK_EQ(decode_event(d, b, 0, &ev), RT_EV_NONE);
	/* optional fields past the end are defaulted, required ones not */
	CHECK_EQ(decode_event(d, b, 24, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.recv_enter.size, 0);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_RECV_ENTER);
	n = fx_k_mm(b, 1, 2, 3, "x", 9);
	/* a __data_loc pointing outside the record gives an empty string */
	b[24] = 200;
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_MM_ENTER);
	CHECK_STR(ev.mm_enter.target_comm, "");
	decoder_free(d);
	tep_free(tep);
}
