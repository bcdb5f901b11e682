import { parseAddStaffMember } from '../../commands/addStaffMember.js';
import { parseChangeStaffMember } from '../../commands/changeStaffMember.js';
import { addStaffMemberSpec, changeStaffMemberSpec, setStaffMemberArchivedSpec } from '../../commands/staffMember.js';
import { staffView } from '../../projections/staffView.js';
import { catalogResourceRoutes } from './catalogResource.js';
import type { RouteDeps } from './shared.js';

export const staffRoutes = (deps: RouteDeps) =>
  catalogResourceRoutes(deps, {
    collection: 'staff',
    permissions: 'staff',
    responseKey: 'staff',
    label: 'Staff member',
    parse: parseAddStaffMember,
    projection: staffView,
    spec: addStaffMemberSpec,
    parseChange: parseChangeStaffMember,
    change: changeStaffMemberSpec,
    setArchived: setStaffMemberArchivedSpec,
  });
