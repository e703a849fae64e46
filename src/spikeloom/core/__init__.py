"""Brian2-compatible model objects; each lowers itself to the IR. No compiled code lives here."""

from ._base import Clock as Clock
from ._base import SimObject as SimObject
from ._base import current_seed as current_seed
from ._base import defaultclock as defaultclock
from ._base import next_init_stream as next_init_stream
from ._base import seed as seed
from ._base import start_scope as start_scope
from ._base import unique_name as unique_name
from ._group import Subgroup as Subgroup
from ._inputs import PoissonGroup as PoissonGroup
from ._inputs import SpikeGeneratorGroup as SpikeGeneratorGroup
from ._monitors import PopulationRateMonitor as PopulationRateMonitor
from ._monitors import SpikeMonitor as SpikeMonitor
from ._monitors import StateMonitor as StateMonitor
from ._network import Network as Network
from ._network import collect as collect
from ._network import get_device as get_device
from ._network import prefs as prefs
from ._network import restore as restore
from ._network import run as run
from ._network import run_batch as run_batch
from ._network import set_device as set_device
from ._network import store as store
from ._neurongroup import NeuronGroup as NeuronGroup
from ._synapses import Synapses as Synapses
from ._timedarray import TimedArray as TimedArray
