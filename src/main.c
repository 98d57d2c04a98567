// SPDX-License-Identifier: GPL-2.0
/* recvtop: subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>

#include "recvtop/cli.h"
#include "recvtop/common.h"
#include "recvtop/export.h"
#include "recvtop/record.h"
#include "recvtop/report.h"
#include "recvtop/replay.h"
#include "recvtop/top.h"

int main(int argc, char **argv)
{
	static struct rt_options o;
	char err[512];
	int ret;

	ret = cli_parse(argc, argv, &o, stdout, err, sizeof(err));
	if (ret == RT_CLI_EXIT)
		return RT_EXIT_OK;
	if (ret == RT_CLI_USAGE) {
		rt_err("%s", err);
		return RT_EXIT_USAGE;
	}
	switch (o.cmd) {
	case RT_CMD_RESET:
		return top_reset(&o);
	case RT_CMD_PROBES:
		return top_probes(&o);
	case RT_CMD_RECORD:
		return record_run(&o);
	case RT_CMD_EXPORT:
		return export_run(&o);
	case RT_CMD_REPORT:
		return report_run(&o);
	case RT_CMD_TOP:
	default:
		if (o.input)
			return replay_run(&o);
		return top_run(&o);
	}
}
