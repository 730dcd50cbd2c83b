// What one job (a save, a restore, a check) is given besides its request: where its
// progress goes, the log that is written beside its image, how it asks the operator a
// question, the system it must not harm, and the token that stops it. The fronts (the
// `kura` CLI, kura-menu) make one per job; nothing in the engine keeps job state in globals.
#pragma once

#include "core/ask.h"
#include "core/cancel.h"
#include "core/job_log.h"
#include "core/progress.h"
#include "device/safety.h"

namespace kura {

struct JobContext {
    ProgressStyle progress_style = ProgressStyle::text;  // the line on stderr (text, JSON lines, none)
    ProgressSink progress;                               // every snapshot also goes here; may be empty
    JobLog log;                                          // this job's lines only
    // How the front asks the operator (may be empty: nothing can be asked). The fronts hand
    // it to the repository they open for the job (RepositoryOptions::ask: a missing SMB
    // password), so the engine never opens a terminal itself.
    AskFunction ask;
    SystemView system;                                   // mounts, swaps and sysfs, read when the job starts
    CancelToken cancel;
};

}  // namespace kura
